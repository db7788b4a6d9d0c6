//! Threads change the speed, never the numbers: the same training and
//! predictions on 1, 2 and 3 threads give bit-identical weights, losses and
//! outputs (the products are split by rows or columns of the result and
//! the optimizer steps by elements, so every value is computed the same way).
//!
//! One test in its own binary: it sets `KERUST_NUM_THREADS`, which no other
//! test may see change.

use kerust::prelude::*;

struct Run {
    weights: Vec<ArrayD<f32>>,
    loss: Vec<f32>,
    predictions: ArrayD<f32>,
    conv_weights: Vec<ArrayD<f32>>,
}

fn train(threads: usize) -> Run {
    std::env::set_var("KERUST_NUM_THREADS", threads.to_string());
    // Enough work per call that fit and predict run in a thread pool and
    // the products are split (784 x 64 and 64 x 64 at batch 64).
    utils::set_random_seed(7);
    let x = utils::rand((1024, 28, 28));
    let y = utils::rand(1024).mapv(|v| (v * 10.0).floor().min(9.0) as u8);
    let mut model = Sequential::new();
    model.add(Flatten::new().input_shape([28, 28])).unwrap();
    model.add(Dense::new(64).activation("relu")).unwrap();
    model.add(Dense::new(64).activation("relu")).unwrap();
    model.add(Dense::new(10).activation("softmax")).unwrap();
    model
        .compile("adam", "sparse_categorical_crossentropy", ["accuracy"])
        .unwrap();
    let history = model
        .fit(&x, &y, Fit::epochs(1).batch_size(64).verbose(0))
        .unwrap();
    let predictions = model.predict(&x).unwrap();

    let mut cnn = Sequential::new();
    cnn.add(
        Conv2D::new(8, (3, 3))
            .activation("relu")
            .input_shape([28, 28, 1]),
    )
    .unwrap();
    cnn.add(MaxPooling2D::new((2, 2))).unwrap();
    cnn.add(Flatten::new()).unwrap();
    cnn.add(Dense::new(10).activation("softmax")).unwrap();
    cnn.compile("adam", "sparse_categorical_crossentropy", NO_METRICS)
        .unwrap();
    let x4 = x.into_shape_with_order((1024, 28, 28, 1)).unwrap();
    cnn.fit(&x4, &y, Fit::epochs(1).batch_size(256).verbose(0))
        .unwrap();
    Run {
        weights: model.get_weights(),
        loss: history["loss"].to_vec(),
        predictions,
        conv_weights: cnn.get_weights(),
    }
}

#[test]
fn one_two_and_three_threads_give_identical_numbers() {
    let one = train(1);
    for threads in [2, 3] {
        let many = train(threads);
        assert_eq!(one.loss, many.loss, "loss on {threads} threads");
        assert_eq!(one.weights, many.weights, "weights on {threads} threads");
        assert_eq!(
            one.predictions, many.predictions,
            "predict on {threads} threads"
        );
        assert_eq!(
            one.conv_weights, many.conv_weights,
            "Conv2D on {threads} threads"
        );
    }
    std::env::remove_var("KERUST_NUM_THREADS");
}
