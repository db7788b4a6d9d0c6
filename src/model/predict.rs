//! `predict`: the model's outputs in batches, the rows split between the
//! call's threads.
//!
//! Each thread runs its share of the rows through its own copy of the
//! layers, so the threads meet once per call instead of in every matrix
//! product: at inference the products are short, and split in two they
//! kept the second thread busy only half the time (one thread ran 65% of
//! a profile's samples, the other 34%; docs/performance.md). Each batch is
//! copied and checked finite in one pass.

use super::data_adapter::Rows;
use super::evaluate::interrupted;
use super::graph::Graph;
use crate::error::{Error, Result};
use crate::layers::{Ctx, Layer, Team};
use crate::random::Rng;
use crate::tensor::AsTensor;
use ndarray::{ArrayD, CowArray, IxDyn};
use std::ops::Range;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Samples per batch, over all threads (Keras' default is 32; larger
/// batches make larger, faster matrix products, and nothing is kept for
/// gradients).
const BATCH: usize = 1024;
/// Rows below which a thread's share is not split again.
const MIN_SHARE: usize = 256;
/// Weights above which the layers are not copied per thread (64 MB).
const MAX_COPIED_PARAMS: usize = 1 << 24;

impl Graph {
    /// The model's outputs for `x`, computed in batches; shape
    /// `(samples, output shape...)`.
    ///
    /// ```
    /// use kerust::prelude::*;
    /// let mut model = Sequential::new();
    /// model.add(Dense::new(1).input_shape([10]))?;
    /// let x = Array2::<f32>::zeros((2, 10));
    /// assert_eq!(model.predict(&x)?.shape(), &[2, 1]);
    /// # Ok::<(), kerust::Error>(())
    /// ```
    pub fn predict<X: AsTensor + ?Sized>(&mut self, x: &X) -> Result<ArrayD<f32>> {
        self.predict_tensor(x.to_tensor())
    }

    fn predict_tensor(&mut self, x: CowArray<'_, f32, IxDyn>) -> Result<ArrayD<f32>> {
        self.build_for(x.shape())?;
        let x = self.adjust_input_rank(x);
        self.check_input("x", x.shape())?;
        let x = x.as_standard_layout();
        let work = self.flops(x.shape()[0], false);
        let copies = self.count_params() <= MAX_COPIED_PARAMS;
        let _stop = crate::interrupt::guard();
        let out = crate::parallel::run(work, |team| {
            let x = x.view();
            let share = Share {
                rows: Rows::of(&x)?,
                n: x.shape()[0],
                done: &AtomicUsize::new(0),
                team,
                copies,
            };
            share.run(&mut self.layers, &mut self.rng, 0..share.n, team.threads())
        });
        self.clear_caches();
        let parts = out?;
        let views: Vec<_> = parts.iter().map(|p| p.view()).collect();
        ndarray::concatenate(ndarray::Axis(0), &views)
            .map_err(|e| Error::internal(format!("predict: joining batches: {e}")))
    }
}

/// One `predict` call's input and progress, shared by its threads.
#[derive(Clone, Copy)]
struct Share<'a> {
    rows: Rows<'a>,
    n: usize,
    done: &'a AtomicUsize,
    team: Team<'a>,
    /// Whether the layers may be copied per thread (else the call's
    /// threads split each product).
    copies: bool,
}

impl Share<'_> {
    /// The outputs of rows `range`, in batches, with `threads` threads:
    /// the range is cut in two parts, the second run on a copy of the
    /// layers, until each part has one thread.
    fn run(
        self,
        layers: &mut Vec<Box<dyn Layer>>,
        rng: &mut Rng,
        range: Range<usize>,
        threads: usize,
    ) -> Result<Vec<ArrayD<f32>>> {
        if self.copies && threads >= 2 && range.len() >= 2 * MIN_SHARE {
            let (t1, t2) = (threads / 2, threads - threads / 2);
            let mid = range.start + range.len() * t1 / threads;
            let (mut twin, mut twin_rng) = (layers.clone(), rng.clone());
            let (mut first, mut second) = (Ok(Vec::new()), Ok(Vec::new()));
            self.team.join(
                || first = self.run(layers, rng, range.start..mid, t1),
                || second = self.run(&mut twin, &mut twin_rng, mid..range.end, t2),
            );
            let mut parts = first?;
            parts.extend(second?);
            return Ok(parts);
        }
        // One thread for this share, or the call's threads for the whole.
        let (team, batch) = match threads {
            1 if self.team.threads() > 1 => (Team::one(), BATCH / self.team.threads()),
            _ => (self.team, BATCH),
        };
        let mut ctx = Ctx {
            training: false,
            rng,
            team,
        };
        let mut parts = Vec::new();
        for start in range.clone().step_by(batch.max(1)) {
            if crate::interrupt::requested() {
                let done = self.done.load(Ordering::Relaxed);
                return Err(interrupted("predict", done, self.n));
            }
            // The input is checked batch by batch, in the copy.
            let x = self
                .rows
                .take_finite(team, start..range.end.min(start + batch), "x")?;
            let rows = x.shape()[0];
            parts.push(
                layers
                    .iter_mut()
                    .try_fold(x, |h, layer| layer.try_forward(h, &mut ctx))?,
            );
            self.done.fetch_add(rows, Ordering::Relaxed);
        }
        Ok(parts)
    }
}
