//! The stop button: SIGINT during `fit` ends it at the end of a batch with
//! an `Interrupted` error, keeps the model as trained so far, and training
//! goes on from there. If the handler were missing, the signal would kill
//! this test process and the test would fail.
#![cfg(unix)]

use kerust::prelude::*;
use kerust::ErrorKind;
use std::time::Duration;

extern "C" {
    fn kill(pid: i32, sig: i32) -> i32;
    fn signal(signum: i32, handler: usize) -> usize;
}
const SIGINT: i32 = 2;

#[test]
fn sigint_stops_fit_at_a_batch_and_keeps_the_model() -> Result<(), Error> {
    let mut model = Sequential::new();
    model.add(Dense::new(1).input_shape([1]))?;
    model.compile(SGD::new(0.01), "mse", NO_METRICS)?;
    let x = array![[0.0f32], [1.0], [2.0], [3.0]];
    let y = array![[1.0f32], [3.0], [5.0], [7.0]];
    let before = model.get_weights();
    let pid = std::process::id() as i32;
    let sender = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(400));
        // SAFETY: sends SIGINT to this process.
        unsafe { kill(pid, SIGINT) }
    });
    let err = model
        .fit(&x, &y, Fit::epochs(50_000_000).batch_size(1).verbose(0))
        .unwrap_err();
    assert_eq!(sender.join().unwrap(), 0);
    assert_eq!(err.kind(), ErrorKind::Interrupted, "{err}");
    assert!(err.to_string().starts_with("fit was interrupted"), "{err}");
    assert!(err.to_string().contains("after batch"), "{err}");
    let done = model.history().map(|h| h.epoch.len()).unwrap_or(0);
    assert!(done > 0 && done < 50_000_000, "{done} epochs");
    assert_eq!(model.history().unwrap()["loss"].len(), done);
    assert_ne!(model.get_weights(), before, "the trained weights are kept");

    // SIGINT has its default action again after the call.
    // SAFETY: swaps the disposition and puts it back.
    let now = unsafe { signal(SIGINT, 1) };
    unsafe { signal(SIGINT, now) };
    assert_eq!(now, 0, "SIGINT handler left installed after fit");

    // Training goes on from the interrupted weights.
    let loss_before = model.evaluate_all(&x, &y)?[0].1;
    let history = model.fit(&x, &y, Fit::epochs(2).batch_size(1).verbose(0))?;
    assert_eq!(history.epoch, vec![0, 1]);
    assert!(loss_before < 0.05, "interrupted model's loss {loss_before}");
    Ok(())
}
