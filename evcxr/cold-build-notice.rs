// Run by the kernel at start (scripts/kernel.sh adds it to init.evcxr) when
// its build slot has no kerust build yet: a thread in the cell process that
// writes to stderr, which evcxr passes to the running cell at once (stdout
// is only read after a build), while the first build of kerust runs.
std::thread::spawn(|| {
    use std::time::{Duration, Instant};
    let evcxr = std::os::unix::process::parent_id();
    // Whether evcxr (our parent) has a cargo child: a build is running.
    let building = || {
        std::fs::read_dir("/proc").map_or(false, |dir| {
            dir.flatten().any(|e| {
                let stat = std::fs::read_to_string(e.path().join("stat")).unwrap_or_default();
                let Some((head, tail)) = stat.rsplit_once(')') else { return false };
                head.ends_with("(cargo")
                    && tail.split_whitespace().nth(1) == Some(evcxr.to_string().as_str())
            })
        })
    };
    let started = Instant::now();
    let mut since: Option<Instant> = None;
    let mut next = 0;
    while started.elapsed() < Duration::from_secs(3600) {
        std::thread::sleep(Duration::from_millis(500));
        if building() {
            let secs = since.get_or_insert_with(Instant::now).elapsed().as_secs();
            if next == 0 && secs >= 3 {
                eprintln!("kerust: building kerust and its dependencies for this kernel, once: about 70 s on 2 cores (the cell shows [*] until then; later cells and kernels reuse the build)");
                next = 20;
            } else if next > 0 && secs >= next {
                eprintln!("kerust: still building ({secs} s)");
                next += 20;
            }
        } else if let Some(t) = since.take() {
            if next > 0 {
                eprintln!("kerust: built in {} s", t.elapsed().as_secs());
                break;
            }
        }
    }
});
