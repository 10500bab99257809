//! The "changes over time" chart of a document page, as numbers an inline
//! SVG template draws: one bar per version at its observation date, the
//! substantive changes stacked under the rest. Only numbers and dates reach
//! the SVG, never document text.

use crate::views::TimelineEntry;

/// Width and height of the chart's coordinate system (it scales to its box).
pub(crate) const WIDTH: f64 = 640.0;
/// See [`WIDTH`].
pub(crate) const HEIGHT: f64 = 180.0;
const LEFT: f64 = 36.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 18.0;
const BOTTOM: f64 = 34.0;

/// One bar.
#[derive(Debug, Clone)]
pub(crate) struct Bar {
    pub(crate) version: u32,
    pub(crate) date: String,
    pub(crate) x: String,
    pub(crate) width: String,
    pub(crate) sub_y: String,
    pub(crate) sub_h: String,
    pub(crate) other_y: String,
    pub(crate) other_h: String,
    pub(crate) substantive: usize,
    pub(crate) other: usize,
    pub(crate) label_x: String,
    pub(crate) first: bool,
}

/// The chart.
#[derive(Debug, Clone, Default)]
pub(crate) struct Chart {
    pub(crate) bars: Vec<Bar>,
    pub(crate) max: usize,
    pub(crate) baseline: String,
    pub(crate) top: String,
    pub(crate) axis_right: String,
    pub(crate) description: String,
}

fn f(x: f64) -> String {
    format!("{x:.1}")
}

/// Lays out `timeline` (oldest first).
pub(crate) fn chart(timeline: &[TimelineEntry]) -> Chart {
    let counts: Vec<(usize, usize)> = timeline
        .iter()
        .map(|e| match e.summary {
            Some(s) => {
                let total = s.added + s.removed + s.modified + s.moved;
                (
                    s.substantive.min(total),
                    total.saturating_sub(s.substantive),
                )
            }
            None => (0, 0),
        })
        .collect();
    let max = counts.iter().map(|(a, b)| a + b).max().unwrap_or(0).max(1);
    let t0 = timeline
        .first()
        .map(|e| e.observed_at.timestamp())
        .unwrap_or(0);
    let t1 = timeline
        .last()
        .map(|e| e.observed_at.timestamp())
        .unwrap_or(0);
    let span = (t1 - t0).max(1) as f64;
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let bar_w = (plot_w / (timeline.len().max(1) as f64 * 2.0)).clamp(6.0, 28.0);
    let base = HEIGHT - BOTTOM;
    let bars = timeline
        .iter()
        .zip(&counts)
        .enumerate()
        .map(|(i, (e, &(sub, other)))| {
            let pos = if timeline.len() == 1 {
                0.5
            } else {
                (e.observed_at.timestamp() - t0) as f64 / span
            };
            let cx = LEFT + bar_w / 2.0 + pos * (plot_w - bar_w);
            let sub_h = plot_h * sub as f64 / max as f64;
            let other_h = plot_h * other as f64 / max as f64;
            Bar {
                version: e.version,
                date: e.observed_at.format("%Y-%m-%d").to_string(),
                x: f(cx - bar_w / 2.0),
                width: f(bar_w),
                sub_y: f(base - sub_h),
                sub_h: f(sub_h),
                other_y: f(base - sub_h - other_h),
                other_h: f(other_h),
                substantive: sub,
                other,
                label_x: f(cx),
                first: i == 0,
            }
        })
        .collect::<Vec<_>>();
    let description = format!(
        "{} versions; substantive changes per version: {}",
        timeline.len(),
        counts
            .iter()
            .zip(timeline)
            .map(|((s, _), e)| format!("@{} {}", e.version, s))
            .collect::<Vec<_>>()
            .join(", ")
    );
    Chart {
        bars,
        max,
        baseline: f(base),
        top: f(TOP),
        axis_right: f(WIDTH - RIGHT),
        description,
    }
}
