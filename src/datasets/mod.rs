//! Datasets: MNIST, Fashion-MNIST, and small generated problems.
