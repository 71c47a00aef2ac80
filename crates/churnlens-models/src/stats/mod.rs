//! Statistics: special functions, linear algebra and the models built on them.

pub mod distributions;
pub mod linalg;
pub mod rfm;
pub mod significance;
pub mod special;
pub mod survival;
