//! Examples for the scim-rs workspace.
