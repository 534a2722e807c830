//! What a reply's words count as: only an unambiguous answer counts; any negation, question
//! or condition is unclear, and so is a reply whose parts disagree or whose answer is hidden
//! or quoted. The table is of replies as people write them, in both languages.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use hikeshi::incident::event::{Unclear, Verdict};
use hikeshi::notify::reading::{read_mail, read_text, visible_text};

const A: Verdict = Verdict::Approved;
const K: Verdict = Verdict::Acknowledged;
const R: Verdict = Verdict::Rejected;
const Q: Verdict = Verdict::Unclear(Unclear::Qualified);
const N: Verdict = Verdict::Unclear(Unclear::NotAnAnswer);

/// (the reply's text, what it counts as)
const REPLIES: &[(&str, Verdict)] = &[
    // Approvals, as written.
    ("承認", A),
    ("承認します", A),
    ("承認します。", A),
    ("承認いたします。", A),
    ("承認致します", A),
    ("承認しました！", A),
    ("了承しました。", A),
    ("了承です", A),
    ("OK", A),
    ("ok", A),
    ("OKです。", A),
    ("ＯＫです", A),
    ("承認します。よろしくお願いします。", A),
    ("お疲れ様です。\n承認します。\n\n山田", A),
    (
        "田中様\n\n承認いたします。\nよろしくお願いいたします。\n",
        A,
    ),
    ("Approved.", A),
    ("I approve", A),
    ("OK, thanks", A),
    // Refusals and questions that begin with an approval word: never an approval.
    ("承認できません", Q),
    ("承認しません", Q),
    ("承認いたしかねます", Q),
    ("了承しかねます", Q),
    ("OKではありません", Q),
    ("OK？ちょっと待ってください", Q),
    ("承認不可", Q),
    ("承認？", Q),
    ("承認、ただし3行目の日付を直してから投稿してください", Q),
    (
        "承認します\nただし、投稿は課長が戻ってからにしてください",
        Q,
    ),
    ("承認します。\n日付を修正してください。", Q),
    ("OK if the date is fixed", Q),
    ("Approved, but fix the date first", Q),
    ("ok?", Q),
    ("Approve? Not yet.", Q),
    // A condition on a later line, or below the quote, takes the answer back.
    ("承認します\n10時以降に投稿してください", Q),
    ("OK\n投稿は課長確認後で", Q),
    ("承認\n一部調整をお願いします", Q),
    (
        "承認します\n> 承認依頼の本文\nただし日付は直してください",
        Q,
    ),
    ("OK\nPlease post after the press conference", Q),
    // A short line after the answer that corrects or takes it back: never an approval.
    ("承認\n要相談", Q),
    ("承認\n一旦ストップ", Q),
    ("承認\n投稿待機", Q),
    ("承認\n撤回", Q),
    ("承認\nいや、やっぱりなし", Q),
    ("承認します\n日付誤り", Q),
    ("承認\n3行目 12/8→12/7", Q),
    ("承認。\n電話番号削除", Q),
    ("承認\n> 12月8日に開設します\n→7日", Q),
    ("OK\nRemove the phone number", Q),
    // "Not yet" holds the answer back: no refusal.
    ("Not approved yet, checking with 部長", Q),
    ("not approved - waiting", Q),
    ("却下 まだ部長が確認中です", Q),
    ("Approved\nWrong date in line 2", Q),
    // A sentence ending 「から送信」 or after 「・・・」 is the writer's, not a signature.
    ("承認します。\nただし、Xは秘書広報課のアカウントから送信", Q),
    ("承認します。\n・・・\nやはり保留で", Q),
    ("OK, than\u{212A}s, but do not post", Q),
    // A signature, a phone's line, a courtesy after the answer leave it as it is.
    ("承認します。\nこども家庭課 山田\n内線 1234", A),
    ("承認します\n\niPhoneから送信", A),
    ("承認します\nAndroid端末から送信", A),
    ("了解しました\nよろしくお願いします\n広報広聴課 田中", K),
    (
        "OK\nTaro Yamada\nPublic Relations Division\nSent from my iPhone",
        A,
    ),
    // Acknowledgements.
    ("了解", K),
    ("了解しました", K),
    ("了解です。", K),
    ("確認しました。", K),
    ("確認済み", K),
    ("受領しました", K),
    ("承知いたしました。", K),
    ("かしこまりました", K),
    ("Acknowledged", K),
    ("Noted, thanks.", K),
    ("了解できません。電話をください", Q),
    ("確認します", Q),
    ("確認中です", Q),
    // Rejections need a reason; a word that merely starts like one is none.
    ("却下：表現を再検討", R),
    ("却下 日付の表記を確認のこと", R),
    ("却下します。理由：数字が違います", R),
    ("却下\n数字が違うため", R),
    ("不可。写真の人物が特定できます", R),
    ("不承認：時期尚早", R),
    ("Rejected: the date is wrong", R),
    ("Not approved: wait for the police", R),
    ("不可能ではないので承認します", Q),
    ("却下しません", Q),
    ("却下ではありません、承認です", Q),
    ("却下", Verdict::Unclear(Unclear::NoReason)),
    ("却下 ですか？", Q),
    ("不承認 山田様\n承認します", R),
    ("却下します。", Verdict::Unclear(Unclear::NoReason)),
    // Neither.
    ("よろしくお願いします", N),
    ("電話します", N),
    ("問題ないと思います", N),
    ("いいと思います", N),
    ("Looks fine to me", N),
    ("", Verdict::Unclear(Unclear::Empty)),
    // Only the writer's own words count: quoted originals and signatures do not.
    (
        "> 承認する場合は「承認」と書いてください",
        Verdict::Unclear(Unclear::Empty),
    ),
    ("電話します\n> 承認", N),
    ("後で確認します\n\n-----Original Message-----\n承認", N),
    (
        "折り返します\n\n2026年11月20日(金) 22:10 広報 <koho@city.example.jp>:\n> 承認",
        N,
    ),
    (
        "On Fri, Nov 20, 2026 at 22:10 koho wrote:\n> OK",
        Verdict::Unclear(Unclear::Empty),
    ),
    ("承認\n-- \n山田 太郎\n広報広聴課長", A),
    // An answer below the quote is the writer's; an Outlook block is never passed.
    (
        "On Fri, Nov 20, 2026 at 22:10 koho wrote:\n> 承認をお願いします\n\n承認します",
        A,
    ),
    ("> 承認をお願いします\n\n承認できません\n> 却下", Q),
    (
        "-----Original Message-----\n承認",
        Verdict::Unclear(Unclear::Empty),
    ),
    (
        "差出人: 広報\n件名: 承認依頼\n\n承認",
        Verdict::Unclear(Unclear::Empty),
    ),
    (
        "承認します\n\n________________________________\n差出人: 広報\n却下",
        A,
    ),
];

#[test]
fn every_reply_in_the_table_counts_as_it_should() {
    let mut wrong = Vec::new();
    for (text, expected) in REPLIES {
        let got = read_text(text);
        if got.verdict != *expected {
            wrong.push(format!(
                "{text:?}: {:?}, expected {expected:?}",
                got.verdict
            ));
        }
    }
    assert!(REPLIES.len() >= 40);
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn a_refusal_is_never_an_approval() {
    for (text, expected) in REPLIES {
        if *expected != A {
            assert_ne!(read_text(text).verdict, A, "{text:?}");
        }
    }
}

#[test]
fn a_rejection_keeps_its_reason_and_the_deciding_line() {
    let r = read_text("却下します。理由：数字が違います");
    assert_eq!(r.reason.as_deref(), Some("数字が違います"));
    assert_eq!(r.line, "却下します。理由：数字が違います");
    let r = read_text("却下\n数字が違うため");
    assert_eq!(r.reason.as_deref(), Some("数字が違うため"));
}

#[test]
fn hidden_html_is_not_what_the_writer_saw() {
    let html = r#"<html><head><style>p{color:red}</style><title>承認</title></head><body>
<div style="display:none">承認</div><span style="font-size:0px">OK</span>
<p hidden>承認</p><div>却下：日付が違います</div>
<blockquote>承認</blockquote><div class="gmail_quote">承認</div></body></html>"#;
    let text = visible_text(html);
    assert!(!text.contains("承認") && !text.contains("OK"), "{text}");
    assert_eq!(read_text(&text).verdict, R);
    // `/>` does not close a <div>; a style sheet's class or id rule hides as well.
    let text = visible_text("<div style=\"display:none\"/>承認します</div><div>却下：日付</div>");
    assert!(!text.contains("承認"), "{text}");
    let text = visible_text(
        "<style>.q{display:none} #r { font-size: 0 }</style><p class=\"x q\">承認</p><p id=\"r\">OK</p><p>却下：日付</p>",
    );
    assert!(!text.contains("承認") && !text.contains("OK"), "{text}");
    let shown =
        visible_text("<div>承認します</div><div><br></div><div id=\"divRplyFwdMsg\">却下</div>");
    assert_eq!(read_text(&shown).verdict, A);
}

fn parse(raw: &str) -> mail_parser::Message<'_> {
    mail_parser::MessageParser::default()
        .parse(raw.as_bytes())
        .unwrap()
}

#[test]
fn a_plain_part_that_contradicts_the_html_part_is_unclear() {
    let raw = "From: a@city.example.jp\r\nMessage-ID: <r@x>\r\nSubject: Re: x\r\n\
MIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=b\r\n\r\n\
--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n承認します\r\n\
--b\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<div>却下：日付が違う</div><div style=\"display:none\">承認します</div>\r\n\
--b--\r\n";
    assert_eq!(
        read_mail(&parse(raw)).verdict,
        Verdict::Unclear(Unclear::PartsDisagree)
    );
    let agree = raw.replace("却下：日付が違う", "承認します");
    assert_eq!(read_mail(&parse(&agree)).verdict, A);
}

#[test]
fn a_style_sheet_that_hides_by_other_selectors_is_unclear() {
    let raw = "From: a@city.example.jp\r\nMessage-ID: <r@x>\r\nSubject: Re: x\r\n\
MIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n\
<style>div > span { display: none }</style><div><span>承認</span>却下：日付</div>\r\n";
    assert_eq!(
        read_mail(&parse(raw)).verdict,
        Verdict::Unclear(Unclear::HiddenText)
    );
}
