//! `{:?}` of layers and models: a layer's class and config, never its
//! weights, as Keras' `repr` shows a layer's name and whether it is built.

use kerust::prelude::*;

#[test]
fn layer_debug_shows_config_not_weights() -> kerust::Result<()> {
    let dense = Dense::new(128).activation("relu").named("hidden");
    assert_eq!(
        format!("{dense:?}"),
        r#"Dense { name: "hidden", activation: "relu", units: 128, use_bias: true, built: false }"#
    );
    let mut model = Sequential::new();
    model.add(Flatten::new().input_shape([28, 28]).named("flat"))?;
    model.add(dense)?;
    let layers: Vec<String> = model.layers().iter().map(|l| format!("{l:?}")).collect();
    assert_eq!(
        layers,
        [
            r#"Flatten { name: "flat", built: true }"#,
            r#"Dense { name: "hidden", activation: "relu", units: 128, use_bias: true, built: true }"#,
        ]
    );
    // 100,480 weights, none of them printed.
    assert!(format!("{model:?}").len() < 1000);
    Ok(())
}
