//! Lesson 6's checks (Fashion-MNIST): scaling the pixels to 0..1, and
//! reading the hardest class off the predictions.

use super::Check;
use crate::datasets::fashion_mnist::CLASS_NAMES;
use crate::shape::array_shape;
use crate::tensor::AsTensor;
use ndarray::ArrayViewD;

/// Lesson 6: `answer` should be the pixels of `raw` (0 to 255) divided by
/// 255, so that every pixel lies between 0 and 1.
///
/// ```
/// use kerust::prelude::*;
/// let raw = array![[0u8, 51, 255]];
/// assert!(exercises::scaled_pixels(&raw, &array![[0.0f32, 0.2, 1.0]]).passed());
/// let integer = raw.mapv(|p| p / 255); // u8 / u8 rounds down
/// assert!(exercises::scaled_pixels(&raw, &integer).to_string().contains("0 or 1"));
/// ```
pub fn scaled_pixels<A: AsTensor + ?Sized, B: AsTensor + ?Sized>(raw: &A, answer: &B) -> Check {
    scaled_pixels_impl(raw.to_tensor().view(), answer.to_tensor().view())
}

fn scaled_pixels_impl(raw: ArrayViewD<'_, f32>, answer: ArrayViewD<'_, f32>) -> Check {
    let verdict = |problems: Vec<String>, praise: &str| {
        Check::new("Scaling the pixels", problems, praise.to_string())
    };
    if raw.shape() != answer.shape() {
        return verdict(
            vec![format!(
                "your array has shape {} but the images have shape {}: scale every pixel and keep the shape (mapv does)",
                array_shape(answer.shape()),
                array_shape(raw.shape())
            )],
            "",
        );
    }
    let close = |a: f32, b: f32| (a - b).abs() <= 1e-5 * b.abs().max(1.0);
    if raw
        .iter()
        .zip(answer.iter())
        .all(|(r, a)| close(r / 255.0, *a))
    {
        return verdict(
            Vec::new(),
            "Every pixel is now between 0 and 1: 0 stays 0 (background) and 255 becomes 1.",
        );
    }
    let problem = if raw.iter().zip(answer.iter()).all(|(r, a)| r == a) {
        "these are the pixels as they came, 0 to 255: divide each one by 255.0".to_string()
    } else if answer.iter().all(|&a| a == 0.0 || a == 1.0) {
        "all your pixels are 0 or 1: dividing whole numbers (the images are u8) rounds down, \
         so 254 / 255 is 0. Turn each pixel into a decimal number first: p as f32 / 255.0"
            .to_string()
    } else if let Some(k) = common_divisor(raw.view(), answer.view()) {
        format!(
            "you divided by {k}; the brightest pixel is 255, so dividing by 255.0 makes it exactly 1"
        )
    } else {
        let (i, (r, a)) = raw
            .iter()
            .zip(answer.iter())
            .enumerate()
            .find(|(_, (r, a))| !close(**r / 255.0, **a))
            .unwrap_or((0, (&0.0, &0.0)));
        format!(
            "pixel number {i} is {r} in the images and {a} in yours; divided by 255 it is {:.4}. \
             Divide every pixel by the same number, 255.0 (utils::normalize from lesson 3 does something else)",
            r / 255.0
        )
    };
    verdict(vec![problem], "")
}

/// The one number `d` with `answer = raw / d` everywhere, if there is one.
fn common_divisor(raw: ArrayViewD<'_, f32>, answer: ArrayViewD<'_, f32>) -> Option<f32> {
    let (r, a) = raw
        .iter()
        .zip(answer.iter())
        .find(|(r, a)| **r > 0.0 && **a != 0.0)?;
    let d = r / a;
    let same = raw
        .iter()
        .zip(answer.iter())
        .all(|(r, a)| (r / d - a).abs() <= 1e-4 * a.abs().max(1e-3));
    same.then_some((d * 100.0).round() / 100.0)
}

/// Lesson 6: the class the model gets wrong most often, by name, from the
/// test labels and the predicted classes (`utils::argmax_axis(&p, 1)`).
///
/// ```
/// use kerust::prelude::*;
/// let y_true = array![0u8, 0, 6, 6, 1, 1];
/// let y_pred = array![0usize, 0, 0, 6, 1, 1];
/// assert!(exercises::hardest_class(&y_true, &y_pred, "shirt").passed());
/// let check = exercises::hardest_class(&y_true, &y_pred, "Trouser");
/// assert!(check.to_string().contains("Trouser: 2 of its 2 test images"));
/// ```
pub fn hardest_class<A: AsTensor + ?Sized, B: AsTensor + ?Sized>(
    y_true: &A,
    y_pred: &B,
    answer: &str,
) -> Check {
    hardest_class_impl(y_true.to_tensor().view(), y_pred.to_tensor().view(), answer)
}

fn hardest_class_impl(
    y_true: ArrayViewD<'_, f32>,
    y_pred: ArrayViewD<'_, f32>,
    answer: &str,
) -> Check {
    let fail = |p: String| Check::new("The hardest class", vec![p], String::new());
    if y_true.len() != y_pred.len() || y_true.ndim() != 1 || y_pred.ndim() != 1 {
        return fail(format!(
            "pass the test labels and the predicted classes, one number per image: got shapes {} and {} \
             (the predicted classes are utils::argmax_axis(&predictions, 1)?)",
            array_shape(y_true.shape()),
            array_shape(y_pred.shape())
        ));
    }
    // (right, all) per class, and what each class is most often taken for.
    let n = CLASS_NAMES.len();
    let mut right = vec![0usize; n];
    let mut all = vec![0usize; n];
    let mut confused = vec![vec![0usize; n]; n];
    for (&t, &p) in y_true.iter().zip(y_pred.iter()) {
        let (t, p) = (t as usize, p as usize);
        if t >= n || p >= n {
            return fail(format!(
                "the classes are numbered 0 to {}; found {}",
                n - 1,
                t.max(p)
            ));
        }
        all[t] += 1;
        if t == p {
            right[t] += 1;
        } else {
            confused[t][p] += 1;
        }
    }
    let share = |c: usize| right[c] as f64 / all[c].max(1) as f64;
    let Some(hardest) = (0..n)
        .filter(|&c| all[c] > 0)
        .min_by(|&a, &b| share(a).total_cmp(&share(b)))
    else {
        return fail("there are no test images to count".to_string());
    };
    let describe = |c: usize| {
        let taken = (0..n)
            .filter(|&p| confused[c][p] > 0)
            .max_by_key(|&p| confused[c][p]);
        format!(
            "{}: {} of its {} test images are right ({:.0}%){}",
            CLASS_NAMES[c],
            right[c],
            all[c],
            100.0 * share(c),
            match taken {
                Some(p) => format!(", and it is most often taken for {}", CLASS_NAMES[p]),
                None => String::new(),
            }
        )
    };
    let wanted = answer.trim();
    let Some(chosen) = CLASS_NAMES
        .iter()
        .position(|c| c.eq_ignore_ascii_case(wanted))
    else {
        return fail(format!(
            "no class is called \"{wanted}\"; the classes are {}",
            CLASS_NAMES.join(", ")
        ));
    };
    if share(chosen) <= share(hardest) {
        return Check::new("The hardest class", Vec::new(), describe(chosen) + ".");
    }
    fail(format!(
        "{}. The hardest is {}",
        describe(chosen),
        describe(hardest)
    ))
}
