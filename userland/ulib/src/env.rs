//! The program's arguments, as `spawn` gave them: `ucall`'s [`Args`], the type `micro`'s
//! servers use too.

pub use ucall::Args;
