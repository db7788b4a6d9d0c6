//! `keras.datasets.fashion_mnist`: 70,000 28x28 grayscale images of
//! clothing in 10 classes, a drop-in replacement for MNIST.

use super::image_set::{find, find_all, load_idx, IDX_FILES};
use super::{cache_dir, download, ImageData};
use crate::error::{Error, Result};
use std::path::{Path, PathBuf};

/// Where Keras downloads Fashion-MNIST from (the file names are appended).
pub const BASE_URL: &str = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/";

/// The cache subdirectory, as Keras: `datasets/fashion-mnist`.
pub const SUBDIR: &str = "fashion-mnist";

/// The four files Keras downloads, with their SHA-256.
///
/// Keras' `fashion_mnist.py` gives no checksums; these are the SHA-256 of
/// Zalando's published Fashion-MNIST files, which Keras' copies are.
pub const FILES: [(&str, &str); 4] = [
    (
        "train-images-idx3-ubyte.gz",
        "08dc20ab1689590a0bcd66e874647b6ee8464e2d501b5a3f1f78831db19a3fdc",
    ),
    (
        "train-labels-idx1-ubyte.gz",
        "b0197879cbda89f3dc7b894f9fd52b858e68ea4182b6947c9d8c2b67e5f18dcc",
    ),
    (
        "t10k-images-idx3-ubyte.gz",
        "78dcbbfb5a27efaf1b6c1d616caca68560be8766c5bffcb2791df9273a534229",
    ),
    (
        "t10k-labels-idx1-ubyte.gz",
        "42bd18137a62d5998cdeae52bf3a0676ac6b706f5cf8439b47bb5b151ae3dccf",
    ),
];

/// The class names, by label.
pub const CLASS_NAMES: [&str; 10] = [
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
];

/// Loads Fashion-MNIST as `((x_train, y_train), (x_test, y_test))`, as
/// `keras.datasets.fashion_mnist.load_data()`: `u8` arrays of shapes
/// (60000, 28, 28), (60000,), (10000, 28, 28) and (10000,); labels 0 to 9
/// name the [`CLASS_NAMES`].
///
/// Reads the four IDX files (plain or `.gz`) from `fashion-mnist/` in the
/// dataset cache ([`cache_dir`](super::cache_dir)); downloads the missing
/// ones from Keras' server, each written only after its SHA-256 matched.
/// Without network, the error names the directory and the files to put there.
///
/// ```no_run
/// use kerust::prelude::*;
/// let ((x_train, y_train), _) = datasets::fashion_mnist::load_data()?;
/// assert_eq!(x_train.shape(), &[60000, 28, 28]);
/// println!("first: {}", datasets::fashion_mnist::CLASS_NAMES[y_train[0] as usize]);
/// # Ok::<(), kerust::Error>(())
/// ```
pub fn load_data() -> Result<ImageData> {
    let dir = cache_dir().join(SUBDIR);
    for (name, sha256) in FILES {
        let plain = name.trim_end_matches(".gz");
        if find(&dir, plain).is_some() {
            continue;
        }
        let url = format!("{BASE_URL}{name}");
        if let Err(e) = download::download(&url, sha256, &dir.join(name)) {
            return Err(Error::io(format!(
                "Fashion-MNIST is not complete in the dataset cache {} (missing {name}), and \
                 downloading it failed: {e}. Put the four files {} from {BASE_URL} there",
                dir.display(),
                FILES.map(|f| f.0).join(", ")
            )));
        }
    }
    load(&dir, true)
}

/// Loads Fashion-MNIST's four IDX files (plain or `.gz`) from `dir`
/// without downloading. Any number of images is accepted, as long as
/// images are 28x28, labels 0 to 9, and images and labels agree in number.
///
/// ```
/// use kerust::prelude::*;
/// let dir = std::env::temp_dir().join(format!("kerust-doc-fashion-{}", std::process::id()));
/// assert!(datasets::fashion_mnist::load_data_from(&dir).is_err()); // nothing there
/// ```
pub fn load_data_from(dir: impl AsRef<Path>) -> Result<ImageData> {
    load(dir.as_ref(), false)
}

fn load(dir: &Path, full: bool) -> Result<ImageData> {
    let paths: [PathBuf; 4] = find_all(dir).map_err(|missing| {
        Error::io(format!(
            "Fashion-MNIST is not in {} (missing {}, plain or .gz; looked for {})",
            dir.display(),
            missing.join(", "),
            IDX_FILES.join(", ")
        ))
    })?;
    load_idx(&paths, full)
}
