//! A plan of about `bytes` whose steps, after a first one of their own, each call the next
//! key while serving the last: one group of thousands of steps that act on one another,
//! which the loader refuses rather than have the checker take seconds on it.

/// The plan's text, and how many steps its chain has (the second step on, line 5).
pub fn chain_text(bytes: usize) -> (String, usize) {
    let mut text = String::from(
        "Plan(version: 1, story: \"chain\",\n  components: [Component(id: \"w\", name: \"w\", kind: Ui)],\n  steps: [\n",
    );
    text.push_str(
        "    Release(id: \"hello\", component: \"w\", title: \"\", changes: [Add(Call(\"x\"))]),\n",
    );
    let mut steps = 0;
    while text.len() < bytes {
        text.push_str(&format!(
            "    Release(id: \"{steps}\", component: \"w\", title: \"\", changes: [Add(Serving(\"k{steps}\", Call(\"k{}\")))]),\n",
            steps + 1
        ));
        steps += 1;
    }
    text.push_str("  ],\n)\n");
    (text, steps)
}
