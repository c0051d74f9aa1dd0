//! e-Buy envelope signing: known answer, tamper detection, answers signed alike.

use coupondesk_wire::ebuy::{self, RequestEnvelope, ResponseEnvelope, SignError, SignType};
use serde_json::json;

fn request() -> RequestEnvelope {
    RequestEnvelope {
        app_id: "app-1".into(),
        action: "batchUnActivateCode".into(),
        sign_type: "HMAC-SHA256".into(),
        lang: "zh_CN".into(),
        uuid: "u-1".into(),
        // keys deliberately out of order: the canonical form sorts them
        content: json!({"codeArray": ["C1", "C2"], "brandId": "B1"}),
        timestamp: 1_700_000_000_000,
        sign: String::new(),
    }
}

#[test]
fn canonical_string_is_sorted_and_compact() {
    let v = serde_json::to_value(request()).unwrap();
    assert_eq!(
        ebuy::canonical_string(v.as_object().unwrap()),
        r#"action=batchUnActivateCode&appId=app-1&content={"brandId":"B1","codeArray":["C1","C2"]}&lang=zh_CN&signType=HMAC-SHA256&timestamp=1700000000000&uuid=u-1"#
    );
}

#[test]
fn canonical_strings_are_escaped_as_serde_json_escapes_them() {
    for s in [
        "plain",
        "quote \" and backslash \\",
        "control \u{1} \n \t \u{1f}",
        "del \u{7f} and 成功 and emoji \u{1F600}",
        "",
    ] {
        let v = json!({"b": s, "a": [s, {"z": s, "y": 1}]});
        let expected = format!(
            "{{\"a\":[{q},{{\"y\":1,\"z\":{q}}}],\"b\":{q}}}",
            q = serde_json::to_string(s).unwrap()
        );
        assert_eq!(ebuy::canonical_json(&v), expected, "{s:?}");
    }
}

#[test]
fn known_answer() {
    // python3: hmac.new(b"secret-1", canonical.encode(), hashlib.sha256).hexdigest()
    let mut r = request();
    r.sign(b"secret-1").unwrap();
    assert_eq!(
        r.sign,
        "cb2dc8cc63c08a73594522f334d7c86d67f25d46ae0ba77526c2e8675b61db97"
    );
    assert_eq!(r.verify(b"secret-1"), Ok(()));
}

#[test]
fn tampering_is_detected() {
    let mut r = request();
    r.sign(b"secret-1").unwrap();
    assert_eq!(r.verify(b"secret-2"), Err(SignError::Mismatch));
    let mut t = r.clone();
    t.content = json!({"codeArray": ["C1", "C3"], "brandId": "B1"});
    assert_eq!(t.verify(b"secret-1"), Err(SignError::Mismatch));
    let mut t = r.clone();
    t.timestamp += 1;
    assert_eq!(t.verify(b"secret-1"), Err(SignError::Mismatch));
    let mut t = r.clone();
    t.uuid = "u-2".into();
    assert_eq!(t.verify(b"secret-1"), Err(SignError::Mismatch));
    let mut t = r.clone();
    t.sign = t.sign.to_uppercase();
    assert_eq!(t.verify(b"secret-1"), Err(SignError::Mismatch));
    let mut t = r.clone();
    t.sign_type = "MD5".into();
    assert_eq!(
        t.verify(b"secret-1"),
        Err(SignError::UnknownSignType("MD5".into()))
    );
    // an extra field on the wire is part of what is signed
    let mut v = serde_json::to_value(&r).unwrap();
    assert_eq!(ebuy::verify_value(&v, b"secret-1"), Ok(()));
    v["extra"] = json!(1);
    assert_eq!(
        ebuy::verify_value(&v, b"secret-1"),
        Err(SignError::Mismatch)
    );
    v.as_object_mut().unwrap().remove("sign");
    assert_eq!(
        ebuy::verify_value(&v, b"secret-1"),
        Err(SignError::MissingSign)
    );
}

#[test]
fn key_order_on_the_wire_does_not_matter() {
    let mut r = request();
    r.sign(b"k").unwrap();
    let reordered = r#"{"timestamp":1700000000000,"uuid":"u-1","sign":"SIG","lang":"zh_CN",
        "content":{"brandId":"B1","codeArray":["C1","C2"]},"signType":"HMAC-SHA256",
        "appId":"app-1","action":"batchUnActivateCode"}"#
        .replace("SIG", &r.sign);
    let v: serde_json::Value = serde_json::from_str(&reordered).unwrap();
    assert_eq!(ebuy::verify_value(&v, b"k"), Ok(()));
}

#[test]
fn responses_are_signed_the_same_way() {
    let mut resp = ResponseEnvelope {
        success: false,
        error_code: ebuy::error_code::INVALID_SIGN.into(),
        error_message: "签名错误".into(),
        sign: String::new(),
        sign_type: String::new(),
        action: "batchActivateCode".into(),
        uuid: "u-9".into(),
        content: serde_json::Value::Null,
        timestamp: 1,
    };
    resp.sign(b"s").unwrap();
    assert_eq!(resp.sign_type, SignType::HmacSha256.as_str());
    assert_eq!(resp.sign.len(), 64);
    assert_eq!(resp.verify(b"s"), Ok(()));
    resp.success = true;
    assert_eq!(resp.verify(b"s"), Err(SignError::Mismatch));
}
