//! Placeholder until the adapter issue lands: nothing is exported yet.
