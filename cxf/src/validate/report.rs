//! The result of [`validate`](super::validate): a list of [`Diagnostic`]s.

use std::fmt;

/// How serious a [`Diagnostic`] is.
///
/// Ordered: `Info < Warning < Error`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Severity {
    /// Worth knowing; nothing is wrong (unknown types, unresolvable but allowed references).
    Info,
    /// A SHOULD of the specification is broken, or importers will drop or misread data.
    Warning,
    /// A MUST of the specification is broken, or a value cannot mean what its type says.
    Error,
}

impl Severity {
    /// The lower-case name used in JSON output: `"info"`, `"warning"` or `"error"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One finding of the validator.
///
/// Messages never contain secret values (passwords, keys, TOTP seeds, concealed fields).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// Stable rule id, e.g. `"id.too-long"` (see the rule table in [`mod@crate::validate`]).
    pub rule: &'static str,
    /// How serious the finding is.
    pub severity: Severity,
    /// RFC 6901 JSON Pointer of the offending member, e.g. `/accounts/0/items/2/credentials/0/key`.
    pub pointer: String,
    /// What is wrong, in one sentence.
    pub message: String,
    /// What to do about it. `validate` sets it on every diagnostic; it is optional so that
    /// callers can build diagnostics of their own without one.
    pub hint: Option<String>,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pointer = if self.pointer.is_empty() {
            "/"
        } else {
            &self.pointer
        };
        write!(
            f,
            "{} [{}] {}: {}",
            self.severity, self.rule, pointer, self.message
        )?;
        if let Some(hint) = &self.hint {
            write!(f, " (hint: {hint})")?;
        }
        Ok(())
    }
}

/// All diagnostics of one validation run, in document order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Report {
    /// The findings, in the order the document was walked.
    pub diagnostics: Vec<Diagnostic>,
}

impl Report {
    /// `true` when no diagnostic has severity [`Severity::Error`].
    pub fn is_valid(&self) -> bool {
        !self.has(Severity::Error)
    }

    /// `true` when nothing of severity `Warning` or worse was found (`--strict`).
    pub fn is_clean(&self) -> bool {
        !self.has(Severity::Warning) && !self.has(Severity::Error)
    }

    /// Whether a diagnostic of exactly this severity exists.
    pub fn has(&self, severity: Severity) -> bool {
        self.diagnostics.iter().any(|d| d.severity == severity)
    }

    /// Number of diagnostics of exactly this severity.
    pub fn count(&self, severity: Severity) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == severity)
            .count()
    }

    /// Diagnostics of at least this severity.
    pub fn at_least(&self, severity: Severity) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics
            .iter()
            .filter(move |d| d.severity >= severity)
    }

    /// The diagnostics as a JSON array of `{"rule","severity","pointer","message"[,"hint"]}`.
    pub fn to_json_value(&self) -> serde_json::Value {
        serde_json::Value::Array(
            self.diagnostics
                .iter()
                .map(|d| {
                    let mut o = serde_json::Map::new();
                    o.insert("rule".into(), d.rule.into());
                    o.insert("severity".into(), d.severity.as_str().into());
                    o.insert("pointer".into(), d.pointer.clone().into());
                    o.insert("message".into(), d.message.clone().into());
                    if let Some(h) = &d.hint {
                        o.insert("hint".into(), h.clone().into());
                    }
                    serde_json::Value::Object(o)
                })
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn diag(rule: &'static str, severity: Severity) -> Diagnostic {
        Diagnostic {
            rule,
            severity,
            pointer: "/a/0".into(),
            message: "m".into(),
            hint: None,
        }
    }

    #[test]
    fn validity_follows_severity() {
        let mut r = Report::default();
        assert!(r.is_valid() && r.is_clean());
        r.diagnostics.push(diag("x.info", Severity::Info));
        assert!(r.is_valid() && r.is_clean());
        r.diagnostics.push(diag("x.warn", Severity::Warning));
        assert!(r.is_valid() && !r.is_clean());
        r.diagnostics.push(diag("x.err", Severity::Error));
        assert!(!r.is_valid());
        assert_eq!(r.count(Severity::Warning), 1);
        assert_eq!(r.at_least(Severity::Warning).count(), 2);
    }

    #[test]
    fn json_and_display_shapes() {
        let mut d = diag("id.too-long", Severity::Error);
        d.hint = Some("shorten".into());
        let r = Report {
            diagnostics: vec![d.clone()],
        };
        let v = r.to_json_value();
        assert_eq!(v[0]["rule"], "id.too-long");
        assert_eq!(v[0]["severity"], "error");
        assert_eq!(v[0]["pointer"], "/a/0");
        assert_eq!(v[0]["hint"], "shorten");
        assert_eq!(d.to_string(), "error [id.too-long] /a/0: m (hint: shorten)");
    }
}
