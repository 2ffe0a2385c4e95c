//! Schemas as data: attribute characteristics, schemas, resource types, the registry,
//! the built-in User/Group/EnterpriseUser definitions, validation and projection.

pub(crate) mod attribute;
pub(crate) mod builtin;
pub(crate) mod coerce;
pub(crate) mod definition;
pub(crate) mod project;
pub(crate) mod registry;
pub(crate) mod render;
pub(crate) mod validate;
