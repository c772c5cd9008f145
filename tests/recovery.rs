//! A crash must not lose the user's work: the panic hook writes the unsaved plan next to
//! its file. (This file is its own test process, so installing the hook touches nothing
//! else.)

use std::path::Path;

use storyplan::store;
use storyplan::tui::app;
use storyplan::tui::msg::Msg;
use storyplan::tui::update::update;

#[test]
fn a_panic_writes_the_unsaved_plan_next_to_its_file() {
    let dir = tempfile::TempDir::new().expect("temp dir");
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/examples/cents-api.ron");
    let file = dir.path().join("plan.ron");
    std::fs::copy(&example, &file).expect("plan copied");

    let mut model = app::open_file(&file).expect("plan opens");
    update(&mut model, Msg::MoveStep { from: 0, to: 2 });
    assert!(model.modified());
    app::install_panic_hook();
    app::remember_for_recovery(&model);

    let crashed = std::panic::catch_unwind(|| panic!("a bug in the board"));
    assert!(crashed.is_err());

    let recovered = dir.path().join("plan.ron.recovered");
    let loaded = store::load(&recovered).expect("the recovered plan loads");
    assert_eq!(loaded.plan, model.plan);
    // The plan file itself is untouched.
    assert_eq!(
        std::fs::read(&file).expect("plan reads"),
        std::fs::read(&example).expect("example reads")
    );

    // Without unsaved changes a crash writes nothing. (One test, because the hook and
    // the plan it would write are global to the process.)
    std::fs::remove_file(&recovered).expect("recovered file removed");
    let clean = app::open_file(&file).expect("plan opens");
    app::remember_for_recovery(&clean);
    let crashed = std::panic::catch_unwind(|| panic!("another bug"));
    assert!(crashed.is_err());
    assert!(!recovered.exists());
}
