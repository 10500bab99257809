#!/usr/bin/env python3
"""Writes the PDF and legacy-charset fixtures of cw-extract's tests.

Every text here was written for clausewatch (invented companies, no copied
policy). The outputs are committed next to this script; rerun it only to
change a fixture, then review the insta snapshots (`cargo insta review`).

    python3 -m pip install reportlab==5.1.0   # also pulls in Pillow
    python3 crates/extract/tests/data/make_fixtures.py

PDFs (in pdf/):
  policy_multipage.pdf  three pages: running header, "Page N of 3" footers,
                        a hyphenated line break, a paragraph that runs over a
                        page break, headings by size and by weight only, bullets
  zh_privacy.pdf        Chinese, with the non-embedded STSong-Light CID font
  encrypted.pdf         needs a user password (RC4 128)
  owner_only.pdf        encrypted with an owner password only: readable
  scanned.pdf           one page that is only an image (no text layer)

Legacy charsets (in charset/): the same invented policies in simplified and
traditional Chinese, Japanese and Korean (and a French one for
windows-1252), as HTML with a <meta charset>, HTML without one and plain
text, each also as UTF-8 (`*.utf8.*`) for comparison.
"""

import io
import os

from PIL import Image, ImageDraw
from reportlab.lib.pdfencrypt import StandardEncryption
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas
from reportlab.lib.utils import ImageReader

HERE = os.path.dirname(os.path.abspath(__file__))
PAGE_W, PAGE_H = 595, 842  # A4 in points
LEFT, TOP, BOTTOM = 72, 770, 90


def fixed_canvas(path, **kw):
    """A canvas whose output does not change between runs (fixed dates, ids)."""
    c = canvas.Canvas(path, pagesize=(PAGE_W, PAGE_H), invariant=1, **kw)
    c.setAuthor("clausewatch tests")
    c.setCreator("make_fixtures.py")
    return c


# --- policy_multipage.pdf -------------------------------------------------
# Each entry is (style, lines): lines are laid out exactly as given, so the
# line breaks (and the hyphenated "infra-" / "structure") are part of the
# fixture. "page" forces a page break.
POLICY = [
    ("title", ["Acceptable Use Policy"]),
    ("body", ["Last updated: March 3, 2025"]),
    ("h1", ["1. Scope"]),
    ("body", [
        "This Acceptable Use Policy applies to every service that Larkspur",
        "Cloud Ltd provides, including the hosted compute, storage and",
        "networking products, and to every person who uses them.",
    ]),
    ("body", [
        "By using the services you agree to this policy. If you do not agree,",
        "you must stop using the services and close your account.",
    ]),
    ("h1", ["2. Prohibited Uses"]),
    ("body", [
        "You may not use the services to attack, probe or disrupt any infra-",
        "structure, whether it belongs to us, to another customer or to a",
        "third party. Prohibited activities include:",
    ]),
    ("bullet", ["Denial of service: flooding a target with requests or traffic."]),
    ("bullet", ["Scanning networks or hosts for vulnerabilities without the written",
                "permission of their owner."]),
    ("bullet", ["Sending unsolicited bulk e-mail."]),
    ("h2", ["Account security"]),
    ("body", [
        "You are responsible for the credentials of your account. Tell us at",
        "once if you believe that someone has used your account without your",
        "permission.",
    ]),
    ("page", []),
    ("h1", ["3. Content Rules"]),
    ("body", [
        "You may not store or share content that is unlawful, that infringes",
        "the rights of others, or that exposes personal data of another person",
        "without a legal basis. We may remove such content after giving you",
        "notice, unless the law or an emergency requires us to act at once.",
    ]),
    ("body", [
        "Content that you make public remains yours. You grant us only the",
        "licence we need to host, copy and display it so that the services",
        "work as you asked.",
    ]),
    ("h1", ["4. Enforcement"]),
    ("body", [
        "If you break this policy we may suspend the affected resources. We",
        "will tell you what we suspended and why, and we will restore the",
        "resources once the problem is fixed, unless the breach was serious or",
        "repeated. Serious or repeated breaches may lead us to close the",
        "account. Before we close an account we give thirty days of notice,",
        "except where the law requires us to act sooner, and you can export",
    ]),
    ("page", []),
    ("body", [
        "your data during that period through the console or the public API.",
    ]),
    ("h1", ["5. Changes to this Policy"]),
    ("body", [
        "We may change this policy. We will announce every substantive change",
        "at least thirty days before it takes effect, by e-mail and on our",
        "website.",
    ]),
    ("h2", ["Contact"]),
    ("body", [
        "Questions about this policy go to abuse@larkspur.example or to our",
        "registered office at 12 Harbour Street, Portmere.",
    ]),
]

STYLES = {
    # font, size, space before, line height
    "title": ("Helvetica-Bold", 20, 0, 26),
    "h1": ("Helvetica-Bold", 14, 14, 18),
    "h2": ("Helvetica-Bold", 10.5, 10, 14),
    "body": ("Helvetica", 10.5, 8, 14),
    "bullet": ("Helvetica", 10.5, 4, 14),
}


def running_header_footer(c, page, pages, header, footer_fmt, font="Helvetica"):
    c.setFillGray(0.35)
    c.setFont(font, 8)
    c.drawString(LEFT, PAGE_H - 40, header)
    c.drawCentredString(PAGE_W / 2, 40, footer_fmt.format(page=page, pages=pages))
    c.setFillGray(0)


def make_policy(path):
    pages = 1 + sum(1 for style, _ in POLICY if style == "page")
    c = fixed_canvas(path)
    c.setTitle("Larkspur Cloud Acceptable Use Policy")
    page = 1
    running_header_footer(c, page, pages, "Larkspur Cloud Ltd · Acceptable Use Policy", "Page {page} of {pages}")
    y = TOP
    for style, lines in POLICY:
        if style == "page":
            c.showPage()
            page += 1
            running_header_footer(c, page, pages, "Larkspur Cloud Ltd · Acceptable Use Policy", "Page {page} of {pages}")
            y = TOP
            continue
        font, size, before, leading = STYLES[style]
        y -= before
        for i, line in enumerate(lines):
            c.setFont(font, size)
            if style == "bullet":
                if i == 0:
                    c.drawString(LEFT + 8, y, "•")
                c.drawString(LEFT + 22, y, line)
            else:
                c.drawString(LEFT, y, line)
            y -= leading
    c.showPage()
    c.save()


# --- zh_privacy.pdf ---------------------------------------------------------
ZH = [
    ("title", ["隐私政策"]),
    ("body", ["更新日期：2024年5月20日"]),
    ("h1", ["一、我们收集的信息"]),
    ("body", [
        "当您注册青禾云账号时，我们会收集您的手机号码和电子邮件地址，",
        "用于验证您的身份并向您发送服务通知。",
    ]),
    ("body", [
        "我们不会收集与提供服务无关的个人信息。",
    ]),
    ("page", []),
    ("h1", ["二、信息的使用与共享"]),
    ("body", [
        "未经您的同意，我们不会向任何第三方出售或提供您的个人信息，",
        "法律法规另有规定的除外。",
    ]),
    ("h1", ["三、联系我们"]),
    ("body", ["如您对本政策有任何疑问，请发送邮件至 privacy@qinghe.example。"]),
]

ZH_STYLES = {
    "title": ("STSong-Light", 20, 0, 26),
    "h1": ("STSong-Light", 14, 14, 18),
    "body": ("STSong-Light", 10.5, 8, 15),
}


def make_zh(path):
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    pages = 1 + sum(1 for style, _ in ZH if style == "page")
    c = fixed_canvas(path)
    c.setTitle("青禾云隐私政策")
    page = 1
    header = "青禾云科技有限公司"
    running_header_footer(c, page, pages, header, "第 {page} 页，共 {pages} 页", font="STSong-Light")
    y = TOP
    for style, lines in ZH:
        if style == "page":
            c.showPage()
            page += 1
            running_header_footer(c, page, pages, header, "第 {page} 页，共 {pages} 页", font="STSong-Light")
            y = TOP
            continue
        font, size, before, leading = ZH_STYLES[style]
        y -= before
        for line in lines:
            c.setFont(font, size)
            c.drawString(LEFT, y, line)
            y -= leading
    c.showPage()
    c.save()


def make_simple(path, lines, **kw):
    c = fixed_canvas(path, **kw)
    y = TOP
    c.setFont("Helvetica-Bold", 16)
    c.drawString(LEFT, y, lines[0])
    c.setFont("Helvetica", 10.5)
    for line in lines[1:]:
        y -= 18
        c.drawString(LEFT, y, line)
    c.showPage()
    c.save()


SECRET = [
    "Confidential Terms",
    "These terms are only for the holders of the password.",
    "They must not be shared with anyone else.",
]


def make_scanned(path):
    # A "scan": a greyscale raster of a page with dark bars where text would be.
    img = Image.new("L", (620, 877), 250)
    d = ImageDraw.Draw(img)
    d.rectangle((60, 60, 360, 84), fill=30)
    for row in range(12):
        top = 130 + row * 34
        d.rectangle((60, top, 560 - (row % 3) * 40, top + 10), fill=60)
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    buf.seek(0)
    c = fixed_canvas(path)
    c.drawImage(ImageReader(buf), 0, 0, width=PAGE_W, height=PAGE_H)
    c.showPage()
    c.save()


# --- legacy charsets --------------------------------------------------------
DOCS = {
    "zh_hans": ("gb18030", "zh-CN", "隐私政策", [
        "最后更新：2023年9月1日",
        "我们如何收集信息",
        "当您使用云杉网盘服务时，我们会收集您主动提供的信息，例如账号名称、手机号码和电子邮件地址。",
        "我们如何使用信息",
        "我们仅在实现本政策所述目的所必需的期限内保留您的个人信息，超出期限后将删除或匿名化处理。",
        "未经您的单独同意，我们不会将您的个人信息用于广告推送。",
    ]),
    "zh_hant": ("big5", "zh-TW", "服務條款", [
        "最後更新：2023年10月15日",
        "帳號與安全",
        "您應妥善保管帳號密碼，並對透過您的帳號進行的所有活動負責。",
        "禁止行為",
        "您不得利用本服務散布惡意程式、侵害他人權利或從事任何違法活動。",
        "如您違反本條款，我們得暫停或終止您的帳號，並保留追究法律責任的權利。",
    ]),
    "ja": ("shift_jis", "ja", "利用規約", [
        "最終更新日：2024年2月1日",
        "第1条（適用）",
        "本規約は、株式会社つばめ工房が提供するすべてのサービスの利用条件を定めるものです。",
        "第2条（禁止事項）",
        "利用者は、法令または公序良俗に違反する行為、他の利用者の個人情報を無断で収集する行為をしてはなりません。",
        "当社は、利用者が本規約に違反した場合、事前の通知なくサービスの利用を停止することができます。",
    ]),
    "ja_eucjp": ("euc_jp", "ja", "個人情報保護方針", [
        "制定日：2022年4月1日",
        "個人情報の取得",
        "当社は、お問い合わせへの回答およびサービスの提供に必要な範囲で、氏名、住所、電話番号等の個人情報を取得します。",
        "第三者提供",
        "当社は、法令に基づく場合を除き、ご本人の同意を得ることなく個人情報を第三者に提供しません。",
    ]),
    "ko": ("euc_kr", "ko", "개인정보 처리방침", [
        "시행일: 2023년 7월 1일",
        "수집하는 개인정보 항목",
        "회사는 회원 가입과 서비스 제공을 위하여 이름, 이메일 주소, 휴대전화 번호를 수집합니다.",
        "개인정보의 보유 및 이용 기간",
        "회사는 회원 탈퇴 시 지체 없이 개인정보를 파기합니다. 다만 관계 법령에 따라 보존할 필요가 있는 경우에는 해당 기간 동안 보관합니다.",
    ]),
    "fr": ("cp1252", "fr", "Conditions générales d’utilisation", [
        "Dernière mise à jour : 12 janvier 2024",
        "Objet",
        "Les présentes conditions régissent l’accès au service « Coquelicot » édité par la société Héliotrope SAS.",
        "Responsabilité",
        "L’éditeur ne saurait être tenu responsable des dommages indirects résultant de l’utilisation du service, sauf faute lourde ou dolosive.",
    ]),
}

# Charset labels as an HTML page declares them.
META_LABEL = {"gb18030": "gb2312", "big5": "big5", "shift_jis": "shift_jis",
              "euc_jp": "euc-jp", "euc_kr": "euc-kr", "cp1252": "windows-1252"}


def html(lang, title, lines, meta):
    head = f'<meta charset="{meta}">' if meta else ""
    body = [f"<h1>{title}</h1>", f"<p>{lines[0]}</p>"]
    for i, line in enumerate(lines[1:]):
        # Short lines are section headings, the rest paragraphs.
        body.append(f"<h2>{line}</h2>" if len(line) < 20 else f"<p>{line}</p>")
    return (f'<!DOCTYPE html>\n<html lang="{lang}"><head>{head}<title>{title}</title></head>\n'
            f"<body><main>\n" + "\n".join(body) + "\n</main></body></html>\n")


def text(title, lines):
    return title + "\n" + "\n".join(lines) + "\n"


def make_charsets(out):
    os.makedirs(out, exist_ok=True)
    for name, (codec, lang, title, lines) in DOCS.items():
        label = META_LABEL[codec]
        variants = {
            f"{name}.meta.html": html(lang, title, lines, label),
            f"{name}.nometa.html": html(lang, title, lines, None),
            f"{name}.txt": text(title, lines),
        }
        for fname, content in variants.items():
            with open(os.path.join(out, fname), "wb") as f:
                f.write(content.encode(codec))
            stem, ext = fname.rsplit(".", 1)
            utf8 = content if "nometa" in fname or ext == "txt" else html(lang, title, lines, "utf-8")
            with open(os.path.join(out, f"{stem}.utf8.{ext}"), "wb") as f:
                f.write(utf8.encode("utf-8"))


def main():
    pdf = os.path.join(HERE, "pdf")
    os.makedirs(pdf, exist_ok=True)
    make_policy(os.path.join(pdf, "policy_multipage.pdf"))
    make_zh(os.path.join(pdf, "zh_privacy.pdf"))
    make_simple(os.path.join(pdf, "encrypted.pdf"), SECRET,
                encrypt=StandardEncryption("letmein", ownerPassword="owner", strength=128))
    make_simple(os.path.join(pdf, "owner_only.pdf"), [
        "Printing Permissions Notice",
        "This notice is encrypted with an owner password only,",
        "so every reader can open it without a password.",
    ], encrypt=StandardEncryption("", ownerPassword="owner", canModify=0, strength=128))
    make_scanned(os.path.join(pdf, "scanned.pdf"))
    make_charsets(os.path.join(HERE, "charset"))


if __name__ == "__main__":
    main()
