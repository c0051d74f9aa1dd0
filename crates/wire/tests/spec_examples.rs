//! The JSON examples of shared/specs, copied verbatim (001's `"…]` ellipsis closed so it
//! parses), read into the wire types and written back unchanged (numbers compared by value).

use coupondesk_wire::{bonus, ebuy, sense, voucher, wxcard, Yuan};
use serde::{de::DeserializeOwned, Serialize};
use serde_json::Value;

/// Numbers compared by value (`2.00` == `2`), everything else exactly.
fn normalise(v: &Value) -> Value {
    match v {
        Value::Number(n) => serde_json::json!(n.as_f64().unwrap()),
        Value::Array(a) => Value::Array(a.iter().map(normalise).collect()),
        Value::Object(m) => {
            Value::Object(m.iter().map(|(k, v)| (k.clone(), normalise(v))).collect())
        }
        other => other.clone(),
    }
}

fn round_trip<T: Serialize + DeserializeOwned>(json: &str) -> T {
    let original: Value = serde_json::from_str(json).expect("example is JSON");
    let typed: T = serde_json::from_str(json).expect("example fits the type");
    let back = serde_json::to_value(&typed).unwrap();
    assert_eq!(
        normalise(&back),
        normalise(&original),
        "round trip changed the JSON"
    );
    typed
}

#[test]
fn spec000_ticket_list() {
    let json = r#"{
        "head": { "ret": 0, "msg": "OK" },
        "body": {
            "tickets": [{
                "ticket_type": "AVD1KYBW8001",
                "ticket_name": "919送乐2",
                "ticket_total": 2000,
                "ticket_used": 150,
                "update_time": "1473246472121"
            },  {
                "ticket_type": "AVD1KYBW8002",
                "ticket_name": "乐次元撩妹送礼包",
                "ticket_total": 1000,
                "ticket_used": 10,
                "update_time": "1473246472121"
            }]
        }
    }"#;
    let env: sense::Envelope<sense::TicketList> = round_trip(json);
    assert_eq!(env.head.ret, sense::ret::OK);
    let tickets = env.body.unwrap().tickets;
    assert_eq!(tickets[0].ticket_total, 2000);
    assert_eq!(tickets[1].ticket_name, "乐次元撩妹送礼包");
    assert_eq!(tickets[0].create_time, None);
}

#[test]
fn spec000_head_only_and_request() {
    let env: sense::Envelope<Value> = round_trip(r#"{"head":{"ret":0,"msg":"OK"}}"#);
    assert!(env.body.is_none());
    let req: sense::ImportRequest = round_trip(r#"{"batch_no":"ddd","ticket_name":"sdfds"}"#);
    assert_eq!(req.batch_no.as_deref(), Some("ddd"));
    let req: sense::ImportRequest = round_trip(r#"{"ticket_name":"sdfds"}"#);
    assert_eq!(req.batch_no, None);
    let err =
        serde_json::to_string(&sense::Envelope::<Value>::head_only(103, "券码名称重复")).unwrap();
    assert_eq!(err, r#"{"head":{"ret":103,"msg":"券码名称重复"}}"#);
}

const SPEC001_DETAIL: &str = r#"{
        "data":{
            "id": 1,
            "card_type": "member_card",
            "member_info":{
                "discount": 10,
                "base_info":{
                    "sku":{ "quantity": 50000000 },
                    "color": "Color010",
                    "title": "海底捞会员卡",
                    "notice": "使用时向服务员出示此券",
                    "logo_url": "http://mmbiz.qpic.cn/mmbiz/iaL1LJM1mF9aRKPZ/0",
                    "code_type": "CODE_TYPE_TEXT",
                    "date_info":{"type": "DATE_TYPE_PERMANENT"},
                    "get_limit": 3,
                    "brand_name": "海底捞",
                    "custom_url": "http://weixin.qq.com",
                    "description": "不可与其他优惠同享",
                    "promotion_url": "http://www.qq.com",
                    "service_phone": "020-88888888",
                    "can_give_friend": true,
                    "custom_url_name": "立即使用",
                    "use_custom_code": false,
                    "location_id_list":[123, 12321],
                    "need_push_on_view": true,
                    "promotion_url_name": "营销入口1",
                    "custom_url_sub_title": "6个汉字tips"
                },
                "bonus_rule":{
                    "reduce_money": 100,
                    "increase_bonus": 1,
                    "cost_bonus_unit": 5,
                    "cost_money_unit": 100,
                    "max_reduce_bonus": 50,
                    "max_increase_bonus": 200,
                    "init_increase_bonus": 10,
                    "least_money_to_use_bonus": 1000
                },
                "prerogative": "test_prerogative",
                "activate_url": "http://www.qq.com",
                "custom_cell1":{ "url": "http://www.xxx.com", "name": "使用入口2", "tips": "激活后显示" },
                "supply_bonus": true,
                "advanced_info":{
                "abstract":{
                    "abstract": "微信餐厅推出多种新季菜品，期待您的光临",
                    "icon_url_list":["http://mmbiz.qpic.cn/mmbiz/p98FjXy8LacgHxp3sJ3vn97bGLz0ib0Sfz1bjiaoOYA027iasqSG0sjpiby4vce3AtaPu6cIhBHkt6IjlkY9YnDsfw / 0 "]
                },
                "time_limit":[
                { "type": "MONDAY", "end_hour": 10, "begin_hour": 0, "end_minute": 59, "begin_minute": 10 },
                { "type": "HOLIDAY" }
                ],
                "use_condition":{
                    "accept_category": "鞋类",
                    "reject_category": "阿迪达斯",
                    "can_use_with_other_discount": true
                },
                "text_image_list":[
                {
                    "text": "此菜品精选食材，以独特的烹饪方法，最大程度地刺激食 客的味蕾",
                    "image_url": "http://mmbiz.qpic.cn/mmbiz/p98FjXy8LacgHxp3sJ3vn97bGLz0ib0Sfz1bjiaoOYA027iasqSG0sjpiby4vce3AtaPu6cIhBHkt6IjlkY9YnDsfw/0"
                }
                ],
                "business_service":[ "BIZ_SERVICE_FREE_WIFI", "BIZ_SERVICE_WITH_PET", "BIZ_SERVICE_FREE_PARK", "BIZ_SERVICE_DELIVER" ]
                },
                "auto_activate": true,
                "custom_field1":{ "url": "http://www.qq.com", "name_type": "FIELD_NAME_TYPE_LEVEL" },
                "supply_balance": false,
                "background_pic_url": "https://mmbiz.qlogo.cn/mmbiz/"
            },
            "app_id": "123456",
            "wechat_app_id": "wx581a7ad7ca810da6",
            "status": 0,
            "sync": 0,
            "created_at": null,
            "updated_at": null
        }
    }"#;

#[test]
fn spec001_card_detail() {
    let env: wxcard::DataEnvelope<wxcard::CardDetail> = round_trip(SPEC001_DETAIL);
    assert_eq!(env.data.card_type, "member_card");
    assert!(env.data.info["member_info"]["base_info"]["sku"]["quantity"].is_u64());
    assert!(env.meta.is_none());
}

#[test]
fn spec001_ticket_list() {
    let json = r#"{
    "data":[
        {
            "id": 2,
            "color": "Color010",
            "background_pic_url": "https://mmbiz.qlogo.cn/mmbiz/",
            "logo_url": "http://mmbiz.qpic.cn/mmbiz/iaL1LJM1mF9aRKPZ/0",
            "card_type": "coupon_card",
            "brand_name": "海底捞",
            "code_type": "CODE_TYPE_TEXT",
            "title": "海底捞会员卡",
            "sku":{"quantity": 50000000},
            "app_id": "123456",
            "wechat_app_id": "wx581a7ad7ca810da6",
            "ali_app_id": null,
            "status": 0,
            "sync": 0,
            "begin_at":{ "date": "2018-01-10 00:00:00.000000", "timezone_type": 3, "timezone": "UTC" },
            "end_at":{ "date": "2019-12-10 00:00:00.000000", "timezone_type": 3, "timezone": "UTC" },
            "created_at":{ "date": "2018-01-01 10:10:10.000000", "timezone_type": 3, "timezone": "UTC" },
            "updated_at": null
        }
    ],
    "meta":{
        "pagination":{ "total": 1, "count": 1, "per_page": 15, "current_page": 1, "total_pages": 1, "links":[] }
    }
}"#;
    let env: wxcard::DataEnvelope<Vec<wxcard::TicketSummary>> = round_trip(json);
    assert_eq!(
        env.data[0].begin_at,
        Some(wxcard::PhpDateTime::utc("2018-01-10 00:00:00"))
    );
    assert_eq!(env.meta.unwrap().pagination.per_page, 15);
}

#[test]
fn spec001_search_syntax() {
    let terms = wxcard::parse_search("ticket_type,=;begin_at,>=;end_at,<;").unwrap();
    assert_eq!(terms.len(), 3);
    assert_eq!(
        terms[1],
        wxcard::SearchTerm {
            field: "begin_at".into(),
            op: ">=".into()
        }
    );
    assert_eq!(
        wxcard::search_param(&terms),
        "ticket_type,=;begin_at,>=;end_at,<;"
    );
    assert!(wxcard::parse_search("ticket_type;").is_none());
    assert_eq!(
        wxcard::TicketKind::parse("coupon"),
        Some(wxcard::TicketKind::Coupon)
    );
    assert_eq!(
        wxcard::TicketKind::parse("gift_card"),
        Some(wxcard::TicketKind::Gift)
    );
}

#[test]
fn spec002_examples() {
    let detail: bonus::Envelope<bonus::Bonus> = round_trip(
        r#"{
        "data": {
            "amount": 2, "code": "BEVTGKODUNM", "created_at": 1520181397, "expired_at": 1520784000,
            "is_used": false, "limit_products": "", "reach_amount": 0, "min_amount": 0,
            "status": 0, "type": 2, "xname": ""
        },
        "status": { "code": 200, "message": "Ok all right." },
        "success": true
    }"#,
    );
    assert_eq!(detail.data.unwrap().amount, Yuan(200));

    let req: bonus::CreateBonusRequest = round_trip(
        r#"{"amount": 2.00, "xname": "FB", "quantity": 5, "expired_at": 0, "min_amount": 30.00 }"#,
    );
    assert_eq!(req.min_amount, Some(Yuan(3000)));
    assert_eq!(req.status, None);

    let created: bonus::Envelope<bonus::Bonus> = round_trip(
        r#"{
        "data": {
            "amount": 2, "code": "BZAFIOWXTJQ", "created_at": 1520185621, "expired_at": 0,
            "is_used": false, "limit_products": null, "reach_amount": 0, "min_amount": 0,
            "status": 0, "type": 2, "xname": "FB"
        },
        "status": { "code": 201, "message": "All created." },
        "success": true
    }"#,
    );
    assert_eq!(created.status.code, 201);

    let granted: bonus::Envelope<bonus::Bonus> = round_trip(
        r#"{
        "data": {
            "amount": 2, "code": "BMVYCZETFUJ", "created_at": 1520181397, "expired_at": 1520784000,
            "is_used": false, "limit_products": "", "min_amount": 0, "reach_amount": null,
            "status": 2, "status_label": "通用红包", "type": null, "user_id": 2, "xname": ""
        },
        "status": { "code": 200, "message": "Ok all right." },
        "success": true
    }"#,
    );
    let g = granted.data.unwrap();
    assert_eq!((g.reach_amount, g.kind, g.user_id), (None, None, Some(2)));

    let disabled: bonus::Envelope<bonus::Bonus> =
        round_trip(r#"{ "status": { "code": 200, "message": "Ok all right." }, "success": true }"#);
    assert!(disabled.data.is_none());
}

#[test]
fn spec003_coupon() {
    let c: voucher::Coupon = round_trip(
        r#"{
    "customer": "xxxxx",
    "name": "全屋打扫",
    "createdAt": "2019-10-1 3:00",
    "updatedAt": "2019-10-1 3:00",
    "usedAt": null,
    "price": 288.0,
    "valid": true
}"#,
    );
    assert_eq!(c.price, Yuan(28800));
    let req: voucher::BuyRequest = round_trip(r#"{"name":"13800000000","price":19.9}"#);
    assert_eq!(req.price, Yuan(1990));
    let _: voucher::ErrorBody =
        round_trip(r#"{"code":"API.ENTITY_NOT_FOUND","message":"未找到指定ID的兑换券"}"#);
}

#[test]
fn spec004_envelopes() {
    let req: ebuy::RequestEnvelope = round_trip(
        r#"{"appId":"app-1","action":"batchUnActivateCode","signType":"HMAC-SHA256","lang":"zh_CN",
            "uuid":"u-1","content":{"codeArray":["C1","C2"],"brandId":"B1"},"timestamp":1700000000000,"sign":""}"#,
    );
    let content: ebuy::UnActivateContent = serde_json::from_value(req.content).unwrap();
    assert_eq!(content.code_array, ["C1", "C2"]);

    let activate: ebuy::ActivateContent = round_trip(
        r#"{"makeFundsChannel":{"merchantRealAmount":1990,"merchantBenefit":10},
            "activateInfo":{"optShopNo":"S1","optOrg":"ORG"},"codeValidDays":30,
            "codeValidStart":"2023-03-01 00:00:00","codeValidEnd":"2023-03-31 23:59:59","codeArray":["C1"]}"#,
    );
    assert_eq!(
        activate.make_funds_channel.unwrap().merchant_real_amount,
        Some(1990)
    );

    let resp: ebuy::ResponseEnvelope = round_trip(
        r#"{"success":true,"errorCode":"SUCCESS","errorMessage":"","sign":"ab","signType":"HMAC-SHA256",
            "action":"batchUnActivateCode","uuid":"u-1","timestamp":1700000000001,
            "content":{"codeNum":1,"createDate":1700000000001,"activeCodeDetails":[{
              "codeSecret":"C1","codeSearch":"Q1","resultCode":"SUCCESS","resultMessage":"成功",
              "codeStatus":"0","codeStatusDesc":"未激活","useTimes":"0","ticketId":"T1",
              "ticketName":"券","outerOrderId":"O1"}]}}"#,
    );
    let results: ebuy::CodeResults = serde_json::from_value(resp.content).unwrap();
    assert_eq!(results.active_code_details[0].code_search, "Q1");
}
