//! Secrets: generated from the operating system's CSPRNG, kept only as SHA-256 hashes.

use sha2::{Digest, Sha256};

use super::ApiKeyError;

/// The prefix of every generated key, so that secret scanners and people recognise one.
pub const API_KEY_PREFIX: &str = "scim_";

/// Random characters after the prefix: 40 base62 characters carry about 238 bits.
pub(super) const SECRET_CHARS: usize = 40;
const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// The SHA-256 hash of `secret`: what a key storage keeps and looks keys up by. A fast
/// hash is right here (unlike for passwords): the secrets are 238-bit random strings, so
/// there is nothing to guess from a leaked hash.
///
/// ```
/// use scim_core::auth::hash_secret;
/// assert_eq!(hash_secret("a"), hash_secret("a"));
/// assert_ne!(hash_secret("a"), hash_secret("A"));
/// ```
pub fn hash_secret(secret: &str) -> [u8; 32] {
    Sha256::digest(secret.as_bytes()).into()
}

/// A new secret: the prefix and [`SECRET_CHARS`] random base62 characters.
pub(super) fn generate_secret() -> Result<String, ApiKeyError> {
    Ok(format!("{API_KEY_PREFIX}{}", random_base62(SECRET_CHARS)?))
}

/// A new public key id.
pub(super) fn generate_id() -> Result<String, ApiKeyError> {
    random_base62(16)
}

/// The first characters of a generated secret (`scim_AbCd`), shown to tell keys apart.
pub(super) fn hint(secret: &str) -> String {
    secret
        .get(..API_KEY_PREFIX.len() + 4)
        .unwrap_or_default()
        .to_owned()
}

/// `n` random base62 characters, by rejection sampling so every character is equally likely.
fn random_base62(n: usize) -> Result<String, ApiKeyError> {
    let mut out = String::with_capacity(n);
    let mut buf = [0u8; 64];
    while out.len() < n {
        getrandom::fill(&mut buf).map_err(|e| ApiKeyError::Random(e.to_string()))?;
        push_base62(&mut out, &buf, n);
    }
    Ok(out)
}

/// Appends to `out`, until it holds `n` characters, one base62 character per random byte
/// below 248 (`4 * 62`); bytes at or above it are skipped, as they would make the first
/// eight characters of the alphabet more likely than the others.
fn push_base62(out: &mut String, random: &[u8], n: usize) {
    for &b in random {
        if b < 248
            && out.len() < n
            && let Some(&c) = BASE62.get(usize::from(b % 62))
        {
            out.push(char::from(c));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_secret_has_the_prefix_and_only_base62_characters() {
        let secret = generate_secret().unwrap();
        let rest = secret.strip_prefix(API_KEY_PREFIX).unwrap();
        assert_eq!(rest.len(), SECRET_CHARS);
        assert!(rest.bytes().all(|b| b.is_ascii_alphanumeric()));
        assert_eq!(hint(&secret), secret[..9]);
    }

    /// Every one of the 62 characters appears, about equally often: a biased or narrowed
    /// alphabet (a wrong modulus or bound) fails this.
    #[test]
    fn generated_characters_are_uniform_over_the_alphabet() {
        let sample = random_base62(62 * 2_000).unwrap();
        let mut counts = [0u32; 62];
        for b in sample.bytes() {
            let i = BASE62.iter().position(|&c| c == b).unwrap();
            counts[i] += 1;
        }
        // Expected 2 000 each; a binomial's standard deviation here is about 44, so
        // 1 700..2 300 is more than 6 deviations wide.
        for (i, n) in counts.iter().enumerate() {
            assert!(
                (1_700..2_300).contains(n),
                "{} seen {n} times",
                BASE62[i] as char
            );
        }
    }

    /// The exact mapping: a byte picks the character at its remainder by 62, and the
    /// biased tail (248 and above) is skipped rather than folded onto the first characters.
    #[test]
    fn bytes_map_to_characters_by_remainder_and_the_biased_tail_is_skipped() {
        let mut out = String::new();
        push_base62(&mut out, &[0, 61, 62, 123, 247, 248, 249, 255, 10], 8);
        assert_eq!(out, "0z0zzA");
        let mut short = String::new();
        push_base62(&mut short, &[1, 2, 3, 4], 2);
        assert_eq!(short, "12", "stops at the requested length");
    }

    #[test]
    fn the_hash_is_sha256() {
        assert_eq!(
            hash_secret("abc")[..4],
            [0xba, 0x78, 0x16, 0xbf],
            "the SHA-256 test vector of \"abc\""
        );
    }
}
