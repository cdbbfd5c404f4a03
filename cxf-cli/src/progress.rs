//! Progress on stderr for long operations (indicatif), shown only on a terminal: items for
//! `convert` and `validate`, bytes for `send` and `receive`.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A bar of items: `{done}/{total} items {verb}`, with the rate and time left. Callers decide
/// whether to show one (a terminal, no `--quiet`).
pub(crate) fn items(verb: &str) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template(&format!(
            "{{bar:30}} {{pos}}/{{len}} items {verb}  {{per_sec}}  {{elapsed_precise}} elapsed, {{eta}} left"
        ))
        .expect("valid template"),
    );
    bar
}

/// A bar of bytes for the channel's [`cxp::channel::Progress`], on a terminal only (scripts
/// read the stable lines instead).
pub(crate) struct ProgressLine {
    bar: Option<ProgressBar>,
}

impl ProgressLine {
    pub(crate) fn new(verb: &'static str) -> Self {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template(&format!(
                    "{verb} {{bar:30}} {{percent:>3}}%  {{bytes}} / {{total_bytes}}  {{bytes_per_sec}}"
                ))
                .expect("valid template"),
            );
            bar
        });
        ProgressLine { bar }
    }

    pub(crate) fn update(&mut self, p: cxp::channel::Progress) {
        if let Some(bar) = &self.bar {
            bar.set_length(p.total);
            bar.set_position(p.done);
        }
    }

    pub(crate) fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish();
        }
    }
}
