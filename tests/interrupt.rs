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

/// In the kernel (KERUST_KERNEL_SIGINT=1, SIGINT ignored by kernel.sh) a
/// runaway loop outside kerust's calls is still ended by the stop button,
/// with a word on what to do: kerust's handler is installed when the
/// program (a notebook cell's library) is loaded. Checked on a child
/// process: this test binary run again with the loop.
#[test]
fn stop_button_ends_a_runaway_loop_in_the_kernel_with_a_word() {
    use std::os::unix::process::ExitStatusExt;
    if std::env::var_os("KERUST_TEST_RUNAWAY").is_some() {
        let start = std::time::Instant::now();
        while start.elapsed() < Duration::from_secs(30) {
            std::hint::spin_loop();
        }
        return;
    }
    let child = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "stop_button_ends_a_runaway_loop_in_the_kernel_with_a_word",
            "--exact",
            "--nocapture",
        ])
        .env("KERUST_KERNEL_SIGINT", "1")
        .env("KERUST_TEST_RUNAWAY", "1")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    // SAFETY: sends SIGINT to the child.
    assert_eq!(unsafe { kill(child.id() as i32, SIGINT) }, 0);
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.signal(), Some(SIGINT), "{:?}", out.status);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("kerust: stopped."), "{stderr}");
    assert!(stderr.contains("Run All Above Selected Cell"), "{stderr}");
}
