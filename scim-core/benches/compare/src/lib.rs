//! Benchmarks only: see benches/parse.rs.
