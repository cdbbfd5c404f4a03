//! Timestamp checks (§2.1, §3.1): seconds, not milliseconds; ordering.

use super::ctx::{Ptr, Sink};
use super::rules;

/// Timestamps at or above this are taken for milliseconds (10^11 s is the year 5138).
pub(crate) const MILLIS_THRESHOLD: u64 = 100_000_000_000;
/// Allowed clock skew for "in the future" checks.
pub(crate) const SKEW: u64 = 86_400;

/// Check one timestamp (at `at`) for plausibility against `now` (UNIX seconds).
/// Returns `true` when it is plausible (so ordering checks can use it).
pub(crate) fn check_plausible(sink: &mut Sink, at: &Ptr<'_>, t: u64, now: u64) -> bool {
    if t >= MILLIS_THRESHOLD {
        sink.push(
            rules::TIMESTAMP_IMPLAUSIBLE,
            at,
            format!("timestamp {t} is far beyond any date in seconds"),
            "CXF timestamps are UNIX seconds; divide milliseconds by 1000",
        );
        false
    } else if t > now.saturating_add(SKEW) {
        sink.push(
            rules::TIMESTAMP_IMPLAUSIBLE,
            at,
            format!("timestamp {t} is in the future"),
            "check the exporting device's clock; CXF timestamps are UNIX seconds (UTC)",
        );
        false
    } else {
        true
    }
}

/// Check `creationAt ≤ modifiedAt ≤ export` for one Collection or Item (at `obj`). Each value is
/// `None` when absent or implausible. No skew is allowed here: all three come from the
/// exporter's clock.
pub(crate) fn check_order(
    sink: &mut Sink,
    obj: &Ptr<'_>,
    creation: Option<u64>,
    modified: Option<u64>,
    export: Option<u64>,
) {
    if let (Some(c), Some(m)) = (creation, modified) {
        if c > m {
            sink.push(
                rules::TIMESTAMP_ORDER,
                &obj.key("modifiedAt"),
                format!("modifiedAt ({m}) is before creationAt ({c})"),
                "check the exporting device's clock; an object cannot change before it exists",
            );
        }
    }
    if let Some(e) = export {
        for (name, t) in [("creationAt", creation), ("modifiedAt", modified)] {
            if let Some(t) = t {
                if t > e {
                    sink.push(
                        rules::TIMESTAMP_ORDER,
                        &obj.key(name),
                        format!("{name} ({t}) is after the export timestamp ({e})"), "check the exporting device's clock; nothing in the export can change after it",
);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: u64 = 1_800_000_000;

    fn got(f: impl FnOnce(&mut Sink)) -> Vec<(&'static str, String)> {
        let mut sink = Sink::default();
        f(&mut sink);
        sink.diagnostics
            .into_iter()
            .map(|d| (d.rule, d.pointer))
            .collect()
    }

    #[test]
    fn plausibility() {
        let p = Ptr::root().key("t");
        assert!(got(|s| assert!(check_plausible(s, &p, 1_735_689_600, NOW))).is_empty());
        assert!(got(|s| assert!(check_plausible(s, &p, 0, NOW))).is_empty());
        assert_eq!(
            got(|s| assert!(!check_plausible(s, &p, 1_735_689_600_000, NOW))),
            [("timestamp.implausible", "/t".into())]
        );
        assert_eq!(
            got(|s| assert!(!check_plausible(s, &p, NOW + 2 * SKEW, NOW))),
            [("timestamp.implausible", "/t".into())]
        );
    }

    #[test]
    fn ordering() {
        let o = Ptr::root();
        assert!(got(|s| check_order(s, o, Some(1), Some(2), Some(3))).is_empty());
        assert_eq!(
            got(|s| check_order(s, o, Some(5), Some(2), None)),
            [("timestamp.order", "/modifiedAt".into())]
        );
        assert_eq!(
            got(|s| check_order(s, o, Some(1), Some(SKEW + 1), Some(SKEW))),
            [("timestamp.order", "/modifiedAt".into())]
        );
    }
}
