//! Progress bars for long work (batch imports, `reextract`, `export`,
//! `analyze --all`, `import-history`): drawn on stderr with indicatif, and
//! only when stderr is a terminal, so pipes, logs and tests see nothing.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::time::Duration;

/// Whether bars are drawn at all.
pub(crate) fn visible() -> bool {
    std::io::stderr().is_terminal()
}

fn styled(bar: ProgressBar, template: &str, what: &str) -> ProgressBar {
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_prefix(what.to_string());
    bar
}

/// A bar over items whose number the work sets (see [`hook`]), hidden
/// unless stderr is a terminal.
pub(crate) fn bar(what: &str) -> ProgressBar {
    let target = if visible() {
        ProgressDrawTarget::stderr()
    } else {
        ProgressDrawTarget::hidden()
    };
    styled(
        ProgressBar::with_draw_target(Some(0), target),
        "{prefix} [{bar:30}] {pos}/{len} {wide_msg} {elapsed}",
        what,
    )
}

/// A spinner for one long item (a big file), hidden unless stderr is a
/// terminal.
pub(crate) fn spinner(what: &str) -> ProgressBar {
    if !visible() {
        return ProgressBar::hidden();
    }
    let s = styled(
        ProgressBar::new_spinner(),
        "{spinner} {prefix} {wide_msg} {elapsed}",
        what,
    );
    s.enable_steady_tick(Duration::from_millis(120));
    s
}

/// A callback for the libraries' `(done, total)` progress hooks that moves
/// `bar`.
pub(crate) fn hook(bar: &ProgressBar) -> impl FnMut(usize, usize) + Send + '_ {
    move |done, total| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
    }
}
