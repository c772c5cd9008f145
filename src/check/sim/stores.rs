//! The findings about stores in one step: backfills that cannot run, data dropped with
//! no other copy, mirrors that miss writes, and reads of a store that fell behind.

use crate::check::Severity;
use crate::check::report::Rule;
use crate::check::state::{Events, Landed};

use super::{Gap, Gaps, Sim};

impl Sim<'_, '_> {
    /// Findings about stores in step `g` (a release of `comp`, or a flip) and the stores'
    /// bookkeeping; returns a store the step dropped.
    pub(super) fn store_findings(
        &mut self,
        g: usize,
        comp: Option<u32>,
        events: &Events,
        writes: &[Landed],
        gaps: &mut Gaps,
        pre_stale: &[(u32, u32)],
    ) -> Option<u32> {
        self.bad_backfills(g, comp, events);
        for &k in &events.backfilled {
            if let Some(gap) = gaps.open.remove(&k) {
                gaps.closed.push(gap);
            }
            gaps.behind_since.remove(&k);
        }
        self.data_losses(g, comp, events, gaps);
        for &(m, _) in &events.only_copy {
            if let Some(gap) = gaps.open.get_mut(&m) {
                gap.only_copy.get_or_insert(g);
            }
        }
        self.new_gaps(g, events, writes, gaps);
        for &(store, _, writer) in &events.behind {
            gaps.behind_since.entry(store).or_insert((g, writer, store));
        }
        for &(c, k) in &events.gap_reads {
            if let Some(gap) = gaps.open.get_mut(&k) {
                gap.read.get_or_insert((c, g));
            }
        }
        self.stale_reads(g, events, gaps, pre_stale);
        events.dropped.first().map(|&(k, _)| k)
    }

    /// The component a finding about a store names: the released one (most steps make no
    /// finding here, so it is named only when one does).
    fn released(&self, comp: Option<u32>) -> Option<String> {
        comp.map(|c| self.comp(c).to_string())
    }

    /// A backfill from itself, or between stores that are not both available.
    fn bad_backfills(&mut self, g: usize, comp: Option<u32>, events: &Events) {
        for &(into, from) in &events.bad_backfills {
            let label = self.label(g);
            let (a, b) = (self.key(into), self.key(from));
            let message = if into == from {
                format!("{label} backfills \"{a}\" from itself.")
            } else {
                format!(
                    "{label} backfills \"{a}\" from \"{b}\", but both stores must be available then."
                )
            };
            let hint = format!(
                "Make sure a database or queue provides \"{a}\" and \"{b}\" when {label} ships: move it after the release that adds the store."
            );
            self.push(
                Rule::BadReference,
                Some(g),
                self.released(comp),
                Some(a.into()),
                message,
                hint,
            );
        }
    }

    /// A store dropped with data that no other store keeps.
    fn data_losses(&mut self, g: usize, comp: Option<u32>, events: &Events, gaps: &Gaps) {
        for &(k, kept) in &events.dropped {
            if kept {
                continue;
            }
            let name = self.key(k).to_string();
            let message = format!(
                "{} drops \"{name}\", which holds data that no other store keeps.",
                self.label(g)
            );
            let hint = self.loss_hint(g, k, events, gaps);
            self.push(
                Rule::DataLoss,
                Some(g),
                self.released(comp),
                Some(name),
                message,
                hint,
            );
        }
    }

    /// A mirror that misses writes to the store it mirrors: a warning until something
    /// reads the mirror or it becomes the only copy (see `finish_gap`).
    fn new_gaps(&mut self, g: usize, events: &Events, writes: &[Landed], gaps: &mut Gaps) {
        for &(k, source, writer, serving) in &events.gaps {
            let (kn, sn, wn) = (
                self.key(k).to_string(),
                self.key(source).to_string(),
                self.comp(writer).to_string(),
            );
            let label = self.label(g);
            let message = format!(
                "\"{kn}\" mirrors \"{sn}\" but misses the writes {wn} makes to \"{sn}\" from {label} on."
            );
            let hint = self.gap_hint(g, (k, source, writer, serving), writes, events);
            let finding = self.push(Rule::DataGap, Some(g), Some(wn), Some(kn), message, hint);
            self.findings[finding].severity = Severity::Warning;
            if let Some(old) = gaps.open.insert(
                k,
                Gap {
                    finding,
                    read: None,
                    only_copy: None,
                },
            ) {
                gaps.closed.push(old);
            }
        }
    }

    /// A component that starts reading a store that has missed writes made only to its
    /// mirror (a read stale before the step is already reported).
    fn stale_reads(&mut self, g: usize, events: &Events, gaps: &Gaps, pre_stale: &[(u32, u32)]) {
        for &(c, k) in &events.stale {
            if pre_stale.binary_search(&(c, k)).is_ok() {
                continue;
            }
            let (cn, kn) = (self.comp(c).to_string(), self.key(k).to_string());
            let label = self.label(g);
            let behind_since = gaps.behind_since.get(&k).copied();
            let since = behind_since.map(|(s, w, _)| (self.label(s), self.comp(w).to_string()));
            let message = match &since {
                Some((s, w)) => format!(
                    "{cn} reads \"{kn}\" at {label}, but \"{kn}\" has missed the writes {w} makes only to its mirror since {s}."
                ),
                None => format!(
                    "{cn} reads \"{kn}\" at {label}, but \"{kn}\" has missed writes made only to its mirror."
                ),
            };
            let hint = self.stale_hint(g, c, k, behind_since);
            self.push(Rule::DataGap, Some(g), Some(cn), Some(kn), message, hint);
        }
    }

    /// Makes a gap's finding an error, saying why, once something reads the mirror or the
    /// mirror became the only copy.
    pub(super) fn finish_gap(&mut self, gap: &Gap) {
        let mut tail = Vec::new();
        if let Some((c, at)) = gap.read {
            tail.push(format!(
                "{} reads it from {} on",
                self.comp(c),
                self.label(at)
            ));
        }
        if let Some(at) = gap.only_copy {
            tail.push(format!("it is the only copy once {} ships", self.label(at)));
        }
        if tail.is_empty() {
            return;
        }
        let finding = &mut self.findings[gap.finding];
        finding.severity = Severity::Error;
        if let Some(stripped) = finding.message.strip_suffix('.') {
            finding.message = format!("{stripped}; {}.", tail.join(", and "));
        }
    }
}
