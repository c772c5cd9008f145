//! What goes wrong in a state, how harms rank when one must be named, and their words.

use std::fmt;

use crate::check::index::Cluster;
use crate::check::state::{Eval, Events};
use crate::check::words::verb;
use crate::plan::Access;

use super::Sim;

/// Something that goes wrong in a state; used to compare deploy orders and reverts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum Harm {
    Broken(u32, u32, Access),
    Stale(u32, u32),
    Gap(u32),
    Lost(u32),
}

/// How harms rank when one must be named: data harms first, then by key, kind and
/// component, by global ids (so a plan checked whole names the same one).
pub type HarmOrder = (bool, u32, u8, usize);

impl Harm {
    pub(super) fn is_data(self) -> bool {
        !matches!(self, Harm::Broken(..))
    }

    pub(super) fn key(self) -> u32 {
        match self {
            Harm::Broken(_, k, _) | Harm::Stale(_, k) | Harm::Gap(k) | Harm::Lost(k) => k,
        }
    }

    pub(super) fn comp(self) -> Option<u32> {
        match self {
            Harm::Broken(c, ..) | Harm::Stale(c, _) => Some(c),
            Harm::Gap(_) | Harm::Lost(_) => None,
        }
    }

    pub(super) fn order(self, cl: &Cluster) -> HarmOrder {
        let kind = match self {
            Harm::Lost(_) => 0,
            Harm::Gap(_) => 1,
            Harm::Stale(..) => 2,
            Harm::Broken(..) => 3,
        };
        let comp = self.comp().map_or(usize::MAX, |c| cl.comps[c as usize]);
        (!self.is_data(), cl.keys[self.key() as usize], kind, comp)
    }
}

/// A harm in words, with its component and key named.
pub(super) struct HarmText<'a> {
    harm: Harm,
    comp: &'a str,
    key: &'a str,
}

impl fmt::Display for HarmText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let HarmText { harm, comp, key } = self;
        match harm {
            Harm::Broken(_, _, access) => write!(
                f,
                "{comp} {} \"{key}\" while nothing provides it",
                verb(*access)
            ),
            Harm::Stale(..) => write!(
                f,
                "{comp} reads \"{key}\", which missed writes made only to its mirror"
            ),
            Harm::Gap(_) => write!(f, "\"{key}\" misses writes made to the store it mirrors"),
            Harm::Lost(_) => write!(f, "\"{key}\" is dropped with data kept nowhere else"),
        }
    }
}

/// What is wrong in a state that was not wrong before (`pre_broken`, `pre_stale`), plus
/// the data harms of `events`.
pub(super) fn harms_since<'e>(
    pre_broken: &'e [(u32, u32, Access)],
    pre_stale: &'e [(u32, u32)],
    eval: &'e Eval,
    events: &'e Events,
) -> impl Iterator<Item = Harm> + 'e {
    let broken = eval
        .broken
        .iter()
        // Both lists are sorted and have one entry per component and key.
        .filter(|&&(c, k, _)| {
            pre_broken
                .binary_search_by_key(&(c, k), |b| (b.0, b.1))
                .is_err()
        })
        .map(|&(c, k, access)| Harm::Broken(c, k, access));
    let lost = events
        .dropped
        .iter()
        .filter(|&&(_, kept)| !kept)
        .map(|&(k, _)| Harm::Lost(k));
    let gaps = events.gaps.iter().map(|&(k, ..)| Harm::Gap(k));
    let stale = events
        .stale
        .iter()
        .filter(|s| pre_stale.binary_search(s).is_err())
        .map(|&(c, k)| Harm::Stale(c, k));
    broken.chain(lost).chain(gaps).chain(stale)
}

impl Sim<'_, '_> {
    /// What a harm does, to be written into a message.
    pub(super) fn describe_harm(&self, harm: Harm) -> HarmText<'_> {
        HarmText {
            harm,
            comp: harm.comp().map_or("", |c| self.comp(c)),
            key: self.key(harm.key()),
        }
    }
}
