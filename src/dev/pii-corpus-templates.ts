/**
 * Sentence templates and context words per language. Slots: {a} and {b} are planted entities, {n}
 * and {m} hard negatives, {t} a log timestamp, {p} a person's name. A bare slot is written with its
 * context word when the document has one ("주민번호: …"); `.v` is the value alone and `.l` the context
 * word alone (CSV headers). Template text holds no digits, so every digit in a document belongs to a
 * planted entity or negative.
 */
import type { CorpusEntityType, CorpusLanguage, DocumentKind, NegativeKind } from './pii-corpus-types.js';

export type Templates = Readonly<Record<DocumentKind, readonly string[]>>;

export const templatesOf: Readonly<Record<CorpusLanguage, Templates>> = {
  ko: {
    chat: ['안녕하세요. 제 {a}이고 연락처는 {b}입니다. {n} 건 확인 부탁드려요.', '{p}님 {a} 맞는지 확인해 주세요. 참고로 {n}, {b}로 연락 주세요.', '이 내용 요약해줘: 고객 {p}, {a}, {b}, {n}, {m}'],
    form: ['성명: {p}\n{a}\n{b}\n{n}', '[신청서]\n이름 {p}\n{a}\n{b}\n{n}\n{m}'],
    csv: ['이름,{a.l},{b.l},{n.l}\n{p},{a.v},{b.v},{n.v}', '{a.l},{b.l},{n.l},{m.l}\n{a.v},{b.v},{n.v},{m.v}'],
    log: ['{t} INFO 본인확인 요청 {a} 결과=성공 {n}', '{t} WARN 결제 실패 사용자={p} {b} {a} {n}'],
  },
  th: {
    chat: ['สวัสดีค่ะ {a}ค่ะ ติดต่อได้ที่{b} เรื่อง{n}', 'ช่วยตรวจสอบข้อมูลของคุณ{p} {a} และ {b} ด้วยครับ {n}', 'สรุปข้อความนี้ให้หน่อย: {p} {a} {b} {n} {m}'],
    form: ['ชื่อ-นามสกุล: {p}\n{a}\n{b}\n{n}', 'แบบฟอร์มลงทะเบียน\nชื่อ {p}\n{a}\n{b}\n{n}\n{m}'],
    csv: ['ชื่อ,{a.l},{b.l},{n.l}\n{p},{a.v},{b.v},{n.v}', '{a.l},{b.l},{n.l},{m.l}\n{a.v},{b.v},{n.v},{m.v}'],
    log: ['{t} INFO ยืนยันตัวตน {a} สำเร็จ {n}', '{t} ERROR ชำระเงินไม่สำเร็จ ผู้ใช้={p} {b} {a} {n}'],
  },
  id: {
    chat: ['Halo, saya {p}. {a} dan {b}. Mohon cek {n}.', 'Tolong verifikasi data ini: {a}, {b}, {n}', 'Ringkas pesan ini: pelanggan {p} dengan {a} menghubungi lewat {b} soal {n} dan {m}'],
    form: ['Nama: {p}\n{a}\n{b}\n{n}', 'FORMULIR PENDAFTARAN\nNama lengkap: {p}\n{a}\n{b}\n{n}\n{m}'],
    csv: ['nama,{a.l},{b.l},{n.l}\n{p},{a.v},{b.v},{n.v}', '{a.l},{b.l},{n.l},{m.l}\n{a.v},{b.v},{n.v},{m.v}'],
    log: ['{t} INFO verifikasi identitas {a} berhasil {n}', '{t} WARN pembayaran gagal pengguna={p} {b} {a} {n}'],
  },
  vi: {
    chat: ['Chào bạn, tôi là {p}, {a}, {b}. Nhờ kiểm tra giúp {n}.', 'Hãy xác minh thông tin: {a}; {b}; {n}', 'Tóm tắt giúp tôi: khách hàng {p} có {a}, liên hệ {b}, {n}, {m}'],
    form: ['Họ và tên: {p}\n{a}\n{b}\n{n}', 'PHIẾU ĐĂNG KÝ\nHọ tên {p}\n{a}\n{b}\n{n}\n{m}'],
    csv: ['ho_ten,{a.l},{b.l},{n.l}\n{p},{a.v},{b.v},{n.v}', '{a.l},{b.l},{n.l},{m.l}\n{a.v},{b.v},{n.v},{m.v}'],
    log: ['{t} INFO xác thực danh tính {a} thành công {n}', '{t} WARN thanh toán thất bại người_dùng={p} {b} {a} {n}'],
  },
  tl: {
    chat: ['Magandang araw po, ako si {p}. Ang {a} ko at {b}. Pakitingnan po ang {n}.', 'Pakiverify naman po: {a}, {b}, {n}', 'Ibuod mo ito: si {p} ay may {a}, tumawag mula sa {b} tungkol sa {n} at {m}'],
    form: ['Pangalan: {p}\n{a}\n{b}\n{n}', 'APPLICATION FORM\nBuong pangalan: {p}\n{a}\n{b}\n{n}\n{m}'],
    csv: ['pangalan,{a.l},{b.l},{n.l}\n{p},{a.v},{b.v},{n.v}', '{a.l},{b.l},{n.l},{m.l}\n{a.v},{b.v},{n.v},{m.v}'],
    log: ['{t} INFO na-verify ang {a} {n}', '{t} WARN bigo ang bayad user={p} {b} {a} {n}'],
  },
  ar: {
    chat: ['مرحبا، أنا {p}، {a} و{b}. أرجو التحقق من {n}.', 'يرجى التحقق من البيانات: {a}، {b}، {n}', 'لخص هذه الرسالة: العميل {p} صاحب {a} تواصل عبر {b} بخصوص {n} و{m}'],
    form: ['الاسم: {p}\n{a}\n{b}\n{n}', 'نموذج التسجيل\nالاسم الكامل {p}\n{a}\n{b}\n{n}\n{m}'],
    csv: ['الاسم,{a.l},{b.l},{n.l}\n{p},{a.v},{b.v},{n.v}', '{a.l},{b.l},{n.l},{m.l}\n{a.v},{b.v},{n.v},{m.v}'],
    log: ['{t} INFO تم التحقق من الهوية {a} {n}', '{t} WARN فشل الدفع المستخدم={p} {b} {a} {n}'],
  },
  ja: {
    chat: ['こんにちは、{p}です。{a}です。連絡先は{b}です。{n}の件を確認してください。', '次の情報を確認してください：{a}、{b}、{n}', 'この文章を要約して：顧客{p}、{a}、{b}、{n}、{m}'],
    form: ['氏名：{p}\n{a}\n{b}\n{n}', '【申込書】\n氏名 {p}\n{a}\n{b}\n{n}\n{m}'],
    csv: ['氏名,{a.l},{b.l},{n.l}\n{p},{a.v},{b.v},{n.v}', '{a.l},{b.l},{n.l},{m.l}\n{a.v},{b.v},{n.v},{m.v}'],
    log: ['{t} INFO 本人確認 {a} 成功 {n}', '{t} WARN 決済失敗 ユーザー={p} {b} {a} {n}'],
  },
  en: {
    chat: ["Hi, I'm {p}. My {a} and {b}. Can you check {n}?", 'Please verify these details: {a}, {b}, {n}', 'Summarise this ticket: customer {p} with {a} called from {b} about {n} and {m}'],
    form: ['Full name: {p}\n{a}\n{b}\n{n}', 'REGISTRATION FORM\nName {p}\n{a}\n{b}\n{n}\n{m}'],
    csv: ['name,{a.l},{b.l},{n.l}\n{p},{a.v},{b.v},{n.v}', '{a.l},{b.l},{n.l},{m.l}\n{a.v},{b.v},{n.v},{m.v}'],
    log: ['{t} INFO identity check {a} ok {n}', '{t} WARN payment failed user={p} {b} {a} {n}'],
  },
};

export const namesOf: Readonly<Record<CorpusLanguage, readonly string[]>> = {
  ko: ['김민준', '이서연', '박지훈', '최수아'],
  th: ['สมชาย ใจดี', 'สุภาพร แสงทอง', 'วิชัย ศรีสุข'],
  id: ['Budi Santoso', 'Siti Rahayu', 'Andi Wijaya'],
  vi: ['Nguyễn Văn An', 'Trần Thị Bích', 'Lê Minh Khoa'],
  tl: ['Juan dela Cruz', 'Maria Santos', 'Jose Reyes'],
  ar: ['محمد العتيبي', 'فاطمة الزهراني', 'عبدالله القحطاني'],
  ja: ['山田太郎', '佐藤花子', '鈴木一郎'],
  en: ['Tan Wei Ming', 'Sarah Lim', 'Rajesh Kumar'],
};

type Labels = Readonly<Partial<Record<CorpusEntityType, readonly string[]>>>;

/** Context words by language; a type with none here takes the language's generic word. */
export const contextWordsOf: Readonly<Record<CorpusLanguage, Labels>> = {
  ko: {
    KR_RRN: ['주민등록번호', '주민번호'],
    KR_ARN: ['외국인등록번호'],
    KR_BRN: ['사업자등록번호', '사업자번호'],
    KR_PASSPORT: ['여권번호', '여권'],
    KR_DRIVER_LICENSE: ['운전면허번호', '면허번호'],
    PHONE: ['휴대폰', '연락처', '전화번호'],
    EMAIL: ['이메일'],
    CREDIT_CARD: ['카드번호'],
    IBAN: ['IBAN'],
    IP_ADDRESS: ['접속 IP', 'IP 주소'],
  },
  th: { TH_ID: ['เลขบัตรประชาชน', 'เลขประจำตัวประชาชน'], PHONE: ['เบอร์โทร', 'โทร', 'เบอร์มือถือ'], EMAIL: ['อีเมล'], CREDIT_CARD: ['เลขบัตรเครดิต'], IBAN: ['IBAN'], IP_ADDRESS: ['ที่อยู่ IP'] },
  id: { ID_NIK: ['NIK', 'No. KTP', 'nomor KTP'], PHONE: ['nomor HP', 'no. HP', 'telepon', 'WA'], EMAIL: ['email', 'surel'], CREDIT_CARD: ['nomor kartu kredit'], IBAN: ['IBAN'], IP_ADDRESS: ['alamat IP'] },
  vi: { VN_CCCD: ['CCCD', 'số căn cước', 'căn cước công dân'], PHONE: ['số điện thoại', 'SĐT', 'ĐT'], EMAIL: ['email'], CREDIT_CARD: ['số thẻ'], IBAN: ['IBAN'], IP_ADDRESS: ['địa chỉ IP'] },
  tl: {
    PH_PCN: ['PhilSys Card Number', 'PCN', 'numero ng PhilID'],
    PH_TIN: ['TIN', 'Tax Identification Number'],
    PHONE: ['cellphone number', 'numero ng telepono', 'CP no.'],
    EMAIL: ['email'],
    CREDIT_CARD: ['numero ng card'],
    IBAN: ['IBAN'],
    IP_ADDRESS: ['IP address'],
  },
  ar: {
    SA_NID: ['رقم الهوية', 'الهوية الوطنية', 'رقم الإقامة'],
    AE_EID: ['رقم الهوية الإماراتية', 'الهوية'],
    PHONE: ['جوال', 'رقم الجوال', 'هاتف'],
    EMAIL: ['البريد الإلكتروني'],
    CREDIT_CARD: ['رقم البطاقة'],
    IBAN: ['الآيبان', 'رقم الآيبان'],
    IP_ADDRESS: ['عنوان IP'],
  },
  ja: { JP_MY_NUMBER: ['マイナンバー', '個人番号'], PHONE: ['電話番号', '携帯', 'TEL'], EMAIL: ['メール', 'メールアドレス'], CREDIT_CARD: ['カード番号'], IBAN: ['IBAN'], IP_ADDRESS: ['IPアドレス'] },
  en: {
    SG_NRIC: ['NRIC', 'FIN', 'NRIC/FIN'],
    KR_RRN: ['resident registration number', 'RRN'],
    KR_ARN: ['alien registration number', 'ARC no.'],
    KR_BRN: ['business registration no.'],
    KR_PASSPORT: ['passport no.'],
    KR_DRIVER_LICENSE: ['driver licence'],
    TH_ID: ['Thai ID'],
    ID_NIK: ['NIK'],
    VN_CCCD: ['CCCD'],
    PH_PCN: ['PCN'],
    PH_TIN: ['TIN'],
    SA_NID: ['Saudi ID', 'Iqama'],
    AE_EID: ['Emirates ID'],
    JP_MY_NUMBER: ['My Number'],
    PHONE: ['phone', 'mobile', 'tel'],
    EMAIL: ['email', 'e-mail'],
    CREDIT_CARD: ['card number', 'credit card'],
    IBAN: ['IBAN'],
    IP_ADDRESS: ['IP address', 'client ip'],
  },
};

/** A neutral word for an identifier, and a neutral CSV header when the document carries no context. */
export const genericWordOf: Readonly<Record<CorpusLanguage, { readonly label: string; readonly header: string }>> = {
  ko: { label: '신분증 번호', header: '값' },
  th: { label: 'หมายเลข', header: 'ค่า' },
  id: { label: 'nomor identitas', header: 'nilai' },
  vi: { label: 'số giấy tờ', header: 'giá trị' },
  tl: { label: 'numero ng ID', header: 'halaga' },
  ar: { label: 'رقم', header: 'قيمة' },
  ja: { label: 'ID番号', header: '値' },
  en: { label: 'ID number', header: 'value' },
};

/** Context words of the negatives: the label a real document would give them. */
export const negativeWordsOf: Readonly<Record<CorpusLanguage, Readonly<Record<Exclude<NegativeKind, 'bad-check-digit'>, string>>>> = {
  ko: { date: '주문일', amount: '결제금액', 'order-number': '주문번호', 'invoice-number': '세금계산서 번호', 'tracking-number': '운송장번호', 'product-code': '모델번호' },
  th: { date: 'วันที่', amount: 'ยอดเงิน', 'order-number': 'เลขที่คำสั่งซื้อ', 'invoice-number': 'เลขที่ใบแจ้งหนี้', 'tracking-number': 'เลขพัสดุ', 'product-code': 'รหัสสินค้า' },
  id: { date: 'tanggal', amount: 'jumlah', 'order-number': 'no. pesanan', 'invoice-number': 'no. faktur', 'tracking-number': 'no. resi', 'product-code': 'kode produk' },
  vi: { date: 'ngày', amount: 'số tiền', 'order-number': 'mã đơn hàng', 'invoice-number': 'số hóa đơn', 'tracking-number': 'mã vận đơn', 'product-code': 'mã sản phẩm' },
  tl: { date: 'petsa', amount: 'halaga', 'order-number': 'order no.', 'invoice-number': 'invoice no.', 'tracking-number': 'tracking no.', 'product-code': 'product code' },
  ar: { date: 'التاريخ', amount: 'المبلغ', 'order-number': 'رقم الطلب', 'invoice-number': 'رقم الفاتورة', 'tracking-number': 'رقم الشحنة', 'product-code': 'رمز المنتج' },
  ja: { date: '注文日', amount: '金額', 'order-number': '注文番号', 'invoice-number': '請求書番号', 'tracking-number': '追跡番号', 'product-code': '型番' },
  en: { date: 'date', amount: 'amount', 'order-number': 'order no.', 'invoice-number': 'invoice no.', 'tracking-number': 'tracking no.', 'product-code': 'product code' },
};

/** Languages whose writers glue numbers to words: a context word may touch its value. */
export const gluingLanguages: ReadonlySet<CorpusLanguage> = new Set(['ko', 'th', 'ja', 'ar']);
