//! Statistics: special functions, linear algebra and the models built on them.

pub mod btyd;
pub mod distributions;
pub mod forecast;
pub mod hyp2f1;
pub mod linalg;
pub mod optimize;
pub mod rfm;
pub mod significance;
pub mod special;
pub mod survival;
