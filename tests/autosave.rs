//! The autosave of `fit` (on where KERUST_AUTOSAVE_DIR is set, as in the
//! kerust kernel) and `restore_autosave`.

use kerust::prelude::*;

#[test]
fn fit_autosaves_and_one_call_restores_weights_optimizer_and_history() -> Result<(), Error> {
    let dir = std::env::temp_dir().join(format!("kerust-autosave-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let x = array![[0.0f32, 1.0], [1.0, 0.0], [1.0, 1.0], [0.0, 0.0]];
    let y = array![1u8, 0, 1, 0];
    let mut model = Sequential::new();
    model.add(Dense::new(3).input_shape([2]).activation("relu"))?;
    model.add(Dense::new(2).activation("softmax"))?;
    model.compile("adam", "sparse_categorical_crossentropy", ["accuracy"])?;

    // Off without the variable: nothing written, restoring says why.
    std::env::remove_var("KERUST_AUTOSAVE_DIR");
    model.fit(&x, &y, Fit::epochs(1).verbose(0))?;
    let err = restore_autosave().unwrap_err();
    assert!(err.to_string().contains("KERUST_AUTOSAVE_DIR"), "{err}");
    assert!(!dir.exists());

    std::env::set_var("KERUST_AUTOSAVE_DIR", &dir);
    let history = model.fit(&x, &y, Fit::epochs(3).verbose(0))?;
    let restored = restore_autosave()?;
    assert_eq!(restored.get_weights(), model.get_weights());
    assert_eq!(restored.history(), Some(&history));
    // The optimizer state (Adam's step count and moments) comes back too.
    assert_eq!(restored.to_json()["compile"], model.to_json()["compile"]);

    // It goes on training exactly as the original does.
    let mut restored = restored;
    let a = model.fit(&x, &y, Fit::epochs(2).shuffle(false).verbose(0))?;
    let b = restored.fit(&x, &y, Fit::epochs(2).shuffle(false).verbose(0))?;
    assert_eq!(a, b);
    assert_eq!(restored.get_weights(), model.get_weights());

    // A damaged file gives an error naming it.
    std::fs::write(dir.join("last-fit.kerust-autosave"), "{").unwrap();
    let err = restore_autosave().unwrap_err();
    assert!(err.to_string().contains("not valid JSON"), "{err}");
    std::fs::remove_dir_all(&dir).ok();
    Ok(())
}
