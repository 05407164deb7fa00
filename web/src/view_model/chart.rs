//! The chart over supervision steps: one point per completed supervision step, with the halting
//! head's belief, how much of the answer that step changed, and (when the solution is known) how
//! much of it is right.
//!
//! Feed frames in the order they arrive with [`Chart::push`]; a frame whose index is not past the
//! last one (a step back, a seek, an edit) rewinds the chart to that point first, so the chart
//! always describes the timeline up to the current frame.

use serde::{Deserialize, Serialize};

use crate::engine::{Frame, FrameKind};

/// One supervision step of the chart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChartPoint {
    /// Supervision step, from 1.
    pub step: u32,
    /// Index of the frame that closed the step.
    pub frame_index: u32,
    /// `sigmoid(q_halt)` after the step (the model halts above 0.5).
    pub halt_probability: Option<f32>,
    /// Share of cells whose answer differs from the previous step's (from the start frame's for
    /// step 1): everything the step's answer refreshes changed.
    pub changed_share: f32,
    /// Share of cells marked changed by the step's last refresh alone.
    pub last_refresh_changed_share: f32,
    /// Share of cells right, when the solution is known.
    pub correct_share: Option<f32>,
}

/// Which line of the chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Series {
    Halt,
    Changed,
    Correct,
}

/// The chart, built frame by frame.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Chart {
    points: Vec<ChartPoint>,
    /// The answer at the start frame, then after each point (same order as `points`).
    start_answer: Option<Vec<u8>>,
    answers: Vec<Vec<u8>>,
    last_index: Option<u32>,
}

fn share(count: usize, of: usize) -> f32 {
    if of == 0 { 0.0 } else { count as f32 / of as f32 }
}

impl Chart {
    pub fn new() -> Self {
        Self::default()
    }

    /// The chart of a run's frames (start frame first).
    pub fn from_frames<'a>(frames: impl IntoIterator<Item = &'a Frame>) -> Self {
        let mut chart = Self::new();
        for f in frames {
            chart.push(f);
        }
        chart
    }

    /// One point per completed supervision step.
    pub fn points(&self) -> &[ChartPoint] {
        &self.points
    }

    /// Takes in the next frame of the timeline.
    pub fn push(&mut self, frame: &Frame) {
        if frame.kind == FrameKind::Start {
            *self = Self::new();
            self.start_answer = Some(frame.answer.clone());
            self.last_index = Some(frame.index);
            return;
        }
        if self.last_index.is_some_and(|last| frame.index <= last) {
            let keep = self.points.iter().take_while(|p| p.frame_index <= frame.index).count();
            self.points.truncate(keep);
            self.answers.truncate(keep);
        }
        self.last_index = Some(frame.index);
        if !frame.ends_step || self.points.last().is_some_and(|p| p.frame_index == frame.index) {
            return;
        }
        let before = self.answers.last().or(self.start_answer.as_ref());
        let changed = match before {
            Some(b) if b.len() == frame.answer.len() => b.iter().zip(&frame.answer).filter(|(x, y)| x != y).count(),
            // No earlier answer known (the chart joined mid-run): count the refresh's own marks.
            _ => frame.changed.iter().filter(|&&c| c == 1).count(),
        };
        self.points.push(ChartPoint {
            step: frame.step,
            frame_index: frame.index,
            halt_probability: frame.halt_probability,
            changed_share: share(changed, frame.answer.len()),
            last_refresh_changed_share: frame.changed_share(),
            correct_share: frame.accuracy(),
        });
        self.answers.push(frame.answer.clone());
    }

    /// The values of one series, per point (`None` where unknown).
    pub fn values(&self, series: Series) -> Vec<Option<f32>> {
        self.points
            .iter()
            .map(|p| match series {
                Series::Halt => p.halt_probability,
                Series::Changed => Some(p.changed_share),
                Series::Correct => p.correct_share,
            })
            .collect()
    }

    /// An SVG `points` attribute for one series in a `width × height` box: x spreads the steps
    /// over `max_steps` (at least the steps shown), y = 0 at the bottom, 1 at the top. Unknown
    /// values are skipped.
    pub fn polyline(&self, series: Series, width: f32, height: f32, max_steps: u32) -> String {
        let last = self.points.last().map_or(1, |p| p.step);
        let span = max_steps.max(last).max(1) as f32;
        self.points
            .iter()
            .zip(self.values(series))
            .filter_map(|(p, v)| v.map(|v| (p.step, v)))
            .map(|(step, v)| {
                let x = width * step as f32 / span;
                let y = height * (1.0 - v.clamp(0.0, 1.0));
                format!("{x:.1},{y:.1}")
            })
            .collect::<Vec<_>>()
            .join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::view_model::testdata::run_sudoku;

    #[test]
    fn one_point_per_supervision_step_of_a_real_run() {
        let (info, frames) = run_sudoku("3..2....13242.3.", 10);
        let per_step = info.h_cycles * (info.l_cycles + 1);
        assert_eq!(frames.len(), 1 + 10 * per_step);
        let chart = Chart::from_frames(&frames);
        let steps: Vec<u32> = chart.points().iter().map(|p| p.step).collect();
        assert_eq!(steps, (1..=10).collect::<Vec<_>>(), "keep thinking past 8 steps adds points");
        for p in chart.points() {
            let f = &frames[p.frame_index as usize];
            assert!(f.ends_step && f.step == p.step);
            let q = f.q_halt.unwrap();
            assert!((p.halt_probability.unwrap() - 1.0 / (1.0 + (-q).exp())).abs() < 1e-6);
            assert!((0.0..=1.0).contains(&p.changed_share));
        }
        // The solution is known (the exact solver's): the run ends fully right.
        assert_eq!(chart.points().last().unwrap().correct_share, Some(1.0));
        // Step 1 changed what the start frame showed; its share is the difference of the answers.
        let first = &chart.points()[0];
        let end = &frames[first.frame_index as usize];
        let diff = frames[0].answer.iter().zip(&end.answer).filter(|(a, b)| a != b).count();
        assert_eq!(first.changed_share, diff as f32 / 16.0);
        let line = chart.polyline(Series::Halt, 100.0, 50.0, 8);
        assert_eq!(line.split(' ').count(), 10);
    }

    #[test]
    fn stepping_back_rewinds_the_chart() {
        let (_, frames) = run_sudoku("214.3...1.2.42..", 4);
        let full = Chart::from_frames(&frames);
        assert_eq!(full.points().len(), 4);
        let mut chart = Chart::from_frames(&frames[..20]);
        let before = chart.points().len();
        // Seek back to frame 7 (inside step 2), then replay to the end.
        chart.push(&frames[7]);
        assert_eq!(chart.points().len(), 1, "only step 1 ends at or before frame 7 (was {before})");
        for f in &frames[8..] {
            chart.push(f);
        }
        assert_eq!(chart, full);
        // A new run starts over.
        chart.push(&frames[0]);
        assert!(chart.points().is_empty());
    }
}
