//! The filter language of RFC 7644 §3.4.2.2: AST, parser, canonical display,
//! evaluation against resources, sorting and a visitor for stores.

pub(crate) mod ast;
mod comparison;
mod display;
pub(crate) mod error;
pub(crate) mod evaluate;
mod options;
pub(crate) mod parser;
mod prepared;
mod project;
mod resolve;
mod sort;
mod visit;

pub use ast::{AttrPath, CompValue, CompareOp, Filter, PatchPath};
pub use comparison::fold_case;
pub(crate) use comparison::{member, present};
pub use error::ParseError;
pub use options::FilterOptions;
pub(crate) use prepared::ElementFilter;
pub use prepared::PreparedFilter;
pub use project::Projection;
pub(crate) use project::SubAttributes;
pub use sort::{Sort, SortOrder};
pub use visit::Visitor;
