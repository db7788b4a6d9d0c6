use kerust::prelude::*;
fn main() -> Result<(), kerust::Error> {
    let mut model = Sequential::new();
    model.add(Dense::new(10).input_shape([2]).activation("relu"))?;
    model.add(Dense::new(1))?;
    model.summary();
    let input_tensor = Input::new([784]);
    let x = Dense::new(32).activation("relu").call(&input_tensor)?;
    let output_tensor = Dense::new(10).activation("softmax").call(&x)?;
    let mut m = Model::new(&input_tensor, &output_tensor)?;
    m.summary();
    let mut xs = Array2::<f32>::zeros((200, 2));
    let mut ys = Array1::<f32>::zeros(200);
    for i in 0..200 {
        let a = (i % 2) as f32;
        let b = ((i / 2) % 2) as f32;
        xs[[i, 0]] = a;
        xs[[i, 1]] = b;
        ys[i] = if a != b { 1.0 } else { 0.0 };
    }
    let mut p = Sequential::new();
    p.add(Dense::new(8).input_shape([2]).activation("tanh"))?;
    p.add(Dense::new(1).activation("sigmoid"))?;
    p.compile(Adam::new(0.05), "binary_crossentropy", ["acc"])?;
    let h = p.fit(&xs, &ys, Fit::epochs(5))?;
    println!("{:?}", h.keys());
    let _ = m.predict(&Array2::<f32>::zeros((3, 784)))?;
    Ok(())
}
