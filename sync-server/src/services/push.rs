//! Web Push (DESIGN §5), server side:
//! - [`vapid`]: the VAPID key pair; [`subscriptions`] of each user's devices, whose endpoints
//!   must belong to a known push service ([`endpoint`]);
//! - [`events`]: notification events derived from each accepted change, stored in the outbox
//!   with the change; [`outbox`]: their expansion into deliveries (recipients, settings, quiet
//!   hours), the summaries, the due-tomorrow job; [`reminders`]: library reminders;
//! - [`ece`]: message encryption (RFC 8291); [`sender`]: VAPID, the HTTP requests and what their answers mean;
//!   [`text`]: the words of the notifications; [`worker`]: the task that runs it all.

pub mod ece;
pub mod endpoint;
pub mod events;
pub mod outbox;
pub mod reminders;
pub mod sender;
pub mod subscriptions;
pub mod text;
pub mod vapid;
pub mod worker;

#[cfg(test)]
mod tests {
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use web_push_native::{Auth, decrypt, encrypt, p256};

    fn b64(s: &str) -> Vec<u8> {
        URL_SAFE_NO_PAD.decode(s).unwrap()
    }

    #[test]
    fn the_rfc_8291_appendix_a_message_decrypts_with_the_crate() {
        let body = b64(
            "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN",
        );
        let ua_private =
            p256::SecretKey::from_slice(&b64("q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94"))
                .unwrap();
        let auth = Auth::clone_from_slice(&b64("BTBZMqHH6r4Tts7J_aSIgg"));
        let plain = decrypt(body, &ua_private, &auth).unwrap();
        assert_eq!(plain, b"When I grow up, I want to be a watermelon");
    }

    #[test]
    fn a_message_encrypted_for_a_device_decrypts_with_its_key_only() {
        let device = p256::SecretKey::random(&mut rand::rngs::OsRng);
        let other = p256::SecretKey::random(&mut rand::rngs::OsRng);
        let auth = Auth::clone_from_slice(&[5u8; 16]);
        let body =
            encrypt(b"{\"title\":\"Cours annul\xc3\xa9\"}".to_vec(), &device.public_key(), &auth)
                .unwrap();
        assert_eq!(
            decrypt(body.clone(), &device, &auth).unwrap(),
            "{\"title\":\"Cours annulé\"}".as_bytes()
        );
        assert!(decrypt(body, &other, &auth).is_err());
    }
}
