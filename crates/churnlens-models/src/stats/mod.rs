//! Statistics: special functions, linear algebra and the models built on them.

pub mod linalg;
pub mod special;
