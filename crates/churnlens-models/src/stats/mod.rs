//! Statistics: special functions, linear algebra and the models built on them.

pub mod distributions;
pub mod forecast;
pub mod linalg;
pub mod special;
pub mod survival;
