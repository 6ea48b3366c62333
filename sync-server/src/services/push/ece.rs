//! Message encryption for Web Push (RFC 8291 over RFC 8188 `aes128gcm`, one record) with
//! AWS-LC: the sender's hot path. A fresh P-256 key pair and salt per message; the output is
//! checked against the RFC 8291 Appendix A vector, `web-push-native`'s decryption and (in the
//! end-to-end tests) Python's `http_ece`.
//!
//! Why not `web_push_native::encrypt`: its pure-Rust P-256 costs about ten times more CPU per
//! message, and one cancellation fans out to thousands of devices.

use aws_lc_rs::aead::{AES_128_GCM, Aad, LessSafeKey, Nonce, UnboundKey};
use aws_lc_rs::agreement::{self, ECDH_P256, EphemeralPrivateKey, UnparsedPublicKey};
use aws_lc_rs::error::Unspecified;
use aws_lc_rs::hkdf::{HKDF_SHA256, KeyType, Salt};
use aws_lc_rs::rand::{SecureRandom, SystemRandom};

/// The record size written in the header (RFC 8188 §2.1); one record holds the whole message.
const RECORD_SIZE: u32 = 4096;

struct Len(usize);

impl KeyType for Len {
    fn len(&self) -> usize {
        self.0
    }
}

fn hkdf(salt: &[u8], ikm: &[u8], info: &[u8], out: &mut [u8]) -> Result<(), Unspecified> {
    let prk = Salt::new(HKDF_SHA256, salt).extract(ikm);
    prk.expand(&[info], Len(out.len()))?.fill(out)
}

/// The body of one message, from the ECDH secret and both public keys (RFC 8291 §3.3–3.4).
fn seal(
    ecdh_secret: &[u8],
    as_public: &[u8],
    ua_public: &[u8],
    auth: &[u8],
    salt: [u8; 16],
    plaintext: &[u8],
) -> Result<Vec<u8>, Unspecified> {
    let mut key_info = Vec::with_capacity(14 + 65 + 65);
    key_info.extend_from_slice(b"WebPush: info\0");
    key_info.extend_from_slice(ua_public);
    key_info.extend_from_slice(as_public);
    let mut ikm = [0u8; 32];
    hkdf(auth, ecdh_secret, &key_info, &mut ikm)?;
    let (mut cek, mut nonce) = ([0u8; 16], [0u8; 12]);
    hkdf(&salt, &ikm, b"Content-Encoding: aes128gcm\0", &mut cek)?;
    hkdf(&salt, &ikm, b"Content-Encoding: nonce\0", &mut nonce)?;
    if plaintext.len() + 17 > RECORD_SIZE as usize {
        return Err(Unspecified);
    }
    let mut body = Vec::with_capacity(86 + plaintext.len() + 17);
    body.extend_from_slice(&salt);
    body.extend_from_slice(&RECORD_SIZE.to_be_bytes());
    body.push(as_public.len() as u8);
    body.extend_from_slice(as_public);
    let mut record = Vec::with_capacity(plaintext.len() + 17);
    record.extend_from_slice(plaintext);
    record.push(2); // the last (and only) record's delimiter
    let key = LessSafeKey::new(UnboundKey::new(&AES_128_GCM, &cek)?);
    key.seal_in_place_append_tag(Nonce::assume_unique_for_key(nonce), Aad::empty(), &mut record)?;
    body.extend_from_slice(&record);
    Ok(body)
}

/// Encrypts `plaintext` for the device whose public key is `ua_public` (uncompressed P-256,
/// 65 bytes) and whose auth secret is `auth` (16 bytes); `None` for unusable keys.
pub fn encrypt(plaintext: &[u8], ua_public: &[u8], auth: &[u8]) -> Option<Vec<u8>> {
    if ua_public.len() != 65 || auth.len() != 16 {
        return None;
    }
    let rng = SystemRandom::new();
    let private = EphemeralPrivateKey::generate(&ECDH_P256, &rng).ok()?;
    let public = private.compute_public_key().ok()?;
    let mut salt = [0u8; 16];
    rng.fill(&mut salt).ok()?;
    let peer = UnparsedPublicKey::new(&ECDH_P256, ua_public);
    agreement::agree_ephemeral(private, peer, Unspecified, |secret| {
        seal(secret, public.as_ref(), ua_public, auth, salt, plaintext)
    })
    .ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use web_push_native::{Auth, p256};

    fn b64(s: &str) -> Vec<u8> {
        URL_SAFE_NO_PAD.decode(s).unwrap()
    }

    #[test]
    fn the_rfc_8291_appendix_a_message_is_reproduced_byte_for_byte() {
        let as_private = agreement::PrivateKey::from_private_key(
            &ECDH_P256,
            &b64("yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw"),
        )
        .unwrap();
        let as_public = as_private.compute_public_key().unwrap();
        let ua_public = b64(
            "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4",
        );
        let auth = b64("BTBZMqHH6r4Tts7J_aSIgg");
        let salt: [u8; 16] = b64("DGv6ra1nlYgDCS1FRnbzlw").try_into().unwrap();
        let peer = UnparsedPublicKey::new(&ECDH_P256, &ua_public);
        let body = agreement::agree(&as_private, peer, Unspecified, |secret| {
            seal(
                secret,
                as_public.as_ref(),
                &ua_public,
                &auth,
                salt,
                b"When I grow up, I want to be a watermelon",
            )
        })
        .unwrap();
        let expected = b64(
            "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN",
        );
        assert_eq!(body, expected);
    }

    #[test]
    fn a_message_decrypts_with_the_devices_key_only_and_is_fresh_each_time() {
        let device = p256::SecretKey::random(&mut rand::rngs::OsRng);
        let other = p256::SecretKey::random(&mut rand::rngs::OsRng);
        let public = device.public_key().to_sec1_bytes().to_vec();
        let auth = [7u8; 16];
        let text = "{\"title\":\"Cours annulé\"}".as_bytes();
        let a = encrypt(text, &public, &auth).unwrap();
        let b = encrypt(text, &public, &auth).unwrap();
        assert_ne!(a, b, "a new key pair and salt per message");
        let auth = Auth::clone_from_slice(&auth);
        assert_eq!(web_push_native::decrypt(a.clone(), &device, &auth).unwrap(), text);
        assert!(web_push_native::decrypt(a, &other, &auth).is_err());
        assert!(encrypt(text, &public[..64], auth.as_slice()).is_none(), "a truncated key");
        assert!(encrypt(&[b'x'; 4080], &public, auth.as_slice()).is_none(), "over one record");
    }
}
