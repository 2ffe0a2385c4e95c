//! [`Argon2Hasher`]: argon2id with OWASP's parameters, in PHC strings, on threads of its own.

use std::sync::Arc;

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{Error as HashError, PasswordHasher as _, PasswordVerifier as _};
use argon2::{Algorithm, Argon2, Params, Version};
use async_trait::async_trait;

use super::threads::WorkerThreads;
use super::{PasswordError, PasswordHasher};

/// The default [`PasswordHasher`]: argon2id (RFC 9106), salted with 16 random bytes,
/// stored as a PHC string (`$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`), so that a
/// stored hash names its own algorithm and parameters and stays verifiable after they
/// change. Available with the `argon2` feature (off by default).
///
/// The parameters are OWASP's Password Storage Cheat Sheet recommendation for argon2id:
/// 19 MiB of memory, 2 iterations, 1 lane. One hash costs tens of milliseconds of CPU
/// (see the crate's `BENCHMARKS.md`), so it runs on a few threads of the hasher's own
/// (by default half the machine's cores, at least one), never on the async worker that
/// awaits it; requests beyond them wait in a queue, which also bounds the memory
/// hashing holds at once. It needs no async runtime. Clones share the threads; they stop
/// when the last clone is dropped.
///
/// The host app verifies a user's password against the stored hash for its own login:
///
/// ```
/// use scim_core::{PasswordHasher, password::Argon2Hasher};
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), scim_core::password::PasswordError> {
/// let hasher = Argon2Hasher::new();
/// let stored = hasher.hash("t1meMa$heen").await?; // what the store keeps
/// assert!(stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
///
/// assert!(hasher.verify("t1meMa$heen", &stored).await?);
/// assert!(!hasher.verify("guess", &stored).await?);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Argon2Hasher {
    params: Params,
    threads: Arc<WorkerThreads>,
}

impl std::fmt::Debug for Argon2Hasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Argon2Hasher")
            .field("memory_kib", &self.params.m_cost())
            .field("iterations", &self.params.t_cost())
            .field("parallelism", &self.params.p_cost())
            .field("threads", &self.threads.max())
            .finish()
    }
}

impl Default for Argon2Hasher {
    fn default() -> Self {
        Self::new()
    }
}

impl Argon2Hasher {
    /// OWASP's memory cost for argon2id, in KiB (19 MiB).
    pub const OWASP_MEMORY_KIB: u32 = 19 * 1024;
    /// OWASP's iteration count for argon2id with [`OWASP_MEMORY_KIB`](Self::OWASP_MEMORY_KIB).
    pub const OWASP_ITERATIONS: u32 = 2;
    /// OWASP's degree of parallelism for argon2id.
    pub const OWASP_PARALLELISM: u32 = 1;

    /// argon2id with OWASP's parameters, on half the machine's cores (at least one).
    ///
    /// ```
    /// use scim_core::password::Argon2Hasher;
    /// let hasher = Argon2Hasher::new();
    /// assert!(format!("{hasher:?}").contains("memory_kib: 19456"));
    /// ```
    pub fn new() -> Self {
        let params = Params::new(
            Self::OWASP_MEMORY_KIB,
            Self::OWASP_ITERATIONS,
            Self::OWASP_PARALLELISM,
            None,
        )
        // The constants are in range; the fallback is the same values.
        .unwrap_or(Params::DEFAULT);
        Self::from_params(params)
    }

    /// argon2id with other parameters: memory in KiB (at least 8 × `parallelism`),
    /// iterations (at least 1) and lanes (at least 1). Lower costs are for tests; raise
    /// them when the hardware allows (OWASP lists equivalent trade-offs, e.g. 46 MiB with
    /// 1 iteration).
    ///
    /// ```
    /// use scim_core::password::Argon2Hasher;
    /// assert!(Argon2Hasher::with_params(64, 1, 1).is_ok());
    /// assert!(Argon2Hasher::with_params(4, 1, 1).is_err()); // too little memory
    /// ```
    pub fn with_params(
        memory_kib: u32,
        iterations: u32,
        parallelism: u32,
    ) -> Result<Self, PasswordError> {
        let params = Params::new(memory_kib, iterations, parallelism, None)
            .map_err(|e| PasswordError::InvalidParams(e.to_string()))?;
        Ok(Self::from_params(params))
    }

    fn from_params(params: Params) -> Self {
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
        Self {
            params,
            threads: Arc::new(WorkerThreads::new(cores / 2)),
        }
    }

    /// The same parameters on at most `threads` threads of its own (at least one): how
    /// many passwords are hashed at once, and so how much CPU and memory
    /// (`threads` × the memory cost) hashing may take.
    ///
    /// ```
    /// use scim_core::password::Argon2Hasher;
    /// let hasher = Argon2Hasher::new().with_threads(4);
    /// assert!(format!("{hasher:?}").contains("threads: 4"));
    /// ```
    #[must_use]
    pub fn with_threads(self, threads: usize) -> Self {
        Self {
            params: self.params,
            threads: Arc::new(WorkerThreads::new(threads)),
        }
    }

    /// Whether `password` is the one `stored` (a PHC string this hasher, or any argon2
    /// hasher, made) was made from. The parameters written in `stored` are used, so
    /// hashes made before a change of parameters still verify. Runs on the hasher's
    /// threads, like [`hash`](PasswordHasher::hash).
    ///
    /// `Ok(false)` for a wrong password; an error when `stored` is not an argon2 PHC
    /// string.
    ///
    /// ```
    /// use scim_core::{PasswordHasher, password::{Argon2Hasher, PasswordError}};
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let hasher = Argon2Hasher::with_params(64, 1, 1).unwrap(); // cheap, for the example
    /// let stored = hasher.hash("hunter2").await.unwrap();
    /// assert_eq!(hasher.verify("hunter2", &stored).await, Ok(true));
    /// assert_eq!(hasher.verify("hunter3", &stored).await, Ok(false));
    /// assert!(matches!(hasher.verify("hunter2", "hunter2").await, Err(PasswordError::InvalidHash(_))));
    /// # }
    /// ```
    pub async fn verify(&self, password: &str, stored: &str) -> Result<bool, PasswordError> {
        // Parsed here, so that a malformed hash costs no trip to the threads.
        let invalid = |why: String| PasswordError::InvalidHash(why);
        let parsed = PasswordHash::new(stored).map_err(|e| invalid(e.to_string()))?;
        Algorithm::try_from(parsed.algorithm.as_str()).map_err(|e| invalid(e.to_string()))?;
        if parsed.salt.is_none() || parsed.hash.is_none() {
            return Err(invalid("it has no salt or no hash".into()));
        }
        let password = password.as_bytes().to_vec();
        self.threads
            .run(move || {
                // The algorithm, version and parameters are those written in `stored`.
                match Argon2::default().verify_password(&password, &parsed) {
                    Ok(()) => Ok(true),
                    Err(HashError::PasswordInvalid) => Ok(false),
                    Err(e) => Err(invalid(e.to_string())),
                }
            })
            .await?
    }
}

#[async_trait]
impl PasswordHasher for Argon2Hasher {
    async fn hash(&self, password: &str) -> Result<String, PasswordError> {
        let password = password.as_bytes().to_vec();
        let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, self.params.clone());
        self.threads
            .run(move || {
                argon2
                    .hash_password(&password)
                    .map(|hash| hash.to_string())
                    .map_err(|e| PasswordError::Failed(e.to_string()))
            })
            .await?
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::password::tests::block_on;

    fn cheap() -> Argon2Hasher {
        Argon2Hasher::with_params(64, 1, 1).unwrap()
    }

    #[test]
    fn hashes_are_salted_phc_strings_that_verify() {
        let hasher = cheap();
        let (one, two) = block_on(async {
            (
                hasher.hash("t1meMa$heen").await.unwrap(),
                hasher.hash("t1meMa$heen").await.unwrap(),
            )
        });
        assert!(one.starts_with("$argon2id$v=19$m=64,t=1,p=1$"), "{one}");
        assert_ne!(one, two, "each hash has its own salt");
        assert!(!one.contains("t1meMa$heen"));
        assert_eq!(block_on(hasher.verify("t1meMa$heen", &two)), Ok(true));
        assert_eq!(block_on(hasher.verify("t1memaheen", &one)), Ok(false));
    }

    #[test]
    fn hashes_made_with_other_parameters_still_verify() {
        let old = Argon2Hasher::with_params(32, 2, 1).unwrap();
        let stored = block_on(old.hash("hunter2")).unwrap();
        assert_eq!(block_on(cheap().verify("hunter2", &stored)), Ok(true));
    }

    #[test]
    fn malformed_hashes_are_errors_not_mismatches() {
        let hasher = cheap();
        for stored in ["", "hunter2", "$argon2id$v=19$m=64,t=1,p=1$", "$bcrypt$x$y"] {
            assert!(
                matches!(
                    block_on(hasher.verify("hunter2", stored)),
                    Err(PasswordError::InvalidHash(_))
                ),
                "{stored:?}"
            );
        }
    }

    #[test]
    fn parameters_are_checked_and_owasps_are_the_default() {
        assert!(matches!(
            Argon2Hasher::with_params(64, 0, 1),
            Err(PasswordError::InvalidParams(_))
        ));
        let owasp = Argon2Hasher::new();
        assert_eq!(owasp.params.m_cost(), 19 * 1024);
        assert_eq!(owasp.params.t_cost(), 2);
        assert_eq!(owasp.params.p_cost(), 1);
    }
}
