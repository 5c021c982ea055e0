/**
 * PII-free text in the corpus languages, for the false-positives-per-100-KB measure: ordinary prose
 * with small numbers (counts, times, years), never a digit run longer than four.
 */
import { pickScript, toScript } from './pii-corpus-format.js';
import { seededRandom, type Random } from './pii-corpus-random.js';
import { corpusLanguages, type CorpusLanguage } from './pii-corpus-types.js';

/** {k} is a number of one to three digits, {c} a temperature, {y} a year, {h} a time of day. */
const sentencesOf: Readonly<Record<CorpusLanguage, readonly string[]>> = {
  ko: ['오늘 회의는 {h}에 시작합니다.', '지난 분기 매출이 {k}% 늘었습니다.', '이 문서를 세 줄로 요약해 주세요.', '서울의 날씨는 맑고 기온은 {c}도입니다.', '{y}년 계획을 정리해 보겠습니다.', '팀원 {k}명이 새 프로젝트에 참여합니다.'],
  th: ['การประชุมเริ่มเวลา {h} น.', 'ยอดขายเพิ่มขึ้น {k} เปอร์เซ็นต์', 'ช่วยสรุปบทความนี้ให้สั้นลงหน่อย', 'วันนี้อากาศร้อน อุณหภูมิ {c} องศา', 'แผนงานปี {y} มีทั้งหมด {k} ข้อ', 'ทีมของเรามีสมาชิก {k} คน'],
  id: ['Rapat dimulai pukul {h}.', 'Penjualan naik {k} persen dibanding bulan lalu.', 'Tolong ringkas artikel ini menjadi tiga kalimat.', 'Cuaca hari ini cerah dengan suhu {c} derajat.', 'Rencana kerja tahun {y} sudah disetujui.', 'Ada {k} peserta yang mendaftar.'],
  vi: ['Cuộc họp bắt đầu lúc {h}.', 'Doanh số tăng {k}% so với tháng trước.', 'Hãy tóm tắt bài viết này trong ba câu.', 'Hôm nay trời nắng, nhiệt độ {c} độ.', 'Kế hoạch năm {y} đã được duyệt.', 'Có {k} người tham gia khóa học.'],
  tl: ['Magsisimula ang pulong ng {h}.', 'Tumaas ng {k} porsiyento ang benta.', 'Pakibuod ang artikulong ito sa tatlong pangungusap.', 'Maaraw ngayon at {c} digri ang temperatura.', 'Naaprubahan na ang plano para sa {y}.', 'May {k} kalahok sa pagsasanay.'],
  ar: ['يبدأ الاجتماع الساعة {h}.', 'ارتفعت المبيعات بنسبة {k} في المئة.', 'لخص هذا المقال في ثلاث جمل.', 'الطقس اليوم مشمس ودرجة الحرارة {c}.', 'تمت الموافقة على خطة عام {y}.', 'شارك {k} موظفا في الدورة.'],
  ja: ['会議は{h}に始まります。', '売上は前月比{k}%増えました。', 'この記事を三行で要約してください。', '今日は晴れで気温は{c}度です。', '{y}年の計画を確認しました。', '参加者は{k}名です。'],
  en: ['The meeting starts at {h}.', 'Sales grew {k}% over last quarter.', 'Please summarise this article in three sentences.', 'It is sunny today, {c} degrees.', 'The {y} roadmap has been approved.', 'We have {k} people on the team.'],
};

function sentence(language: CorpusLanguage, random: Random): string {
  const text = random
    .pick(sentencesOf[language])
    .replace('{k}', String(random.int(1, 999)))
    .replace('{c}', String(random.int(12, 38)))
    .replace('{y}', String(random.int(2000, 2030)))
    .replace('{h}', `${random.int(1, 12)}:${String(random.int(0, 59)).padStart(2, '0')}`);
  return toScript(text, pickScript(language, random));
}

/**
 * About `bytes` bytes of UTF-8 (never more), paragraphs rotating through `languages`. Deterministic
 * in `seed`.
 */
export function generateCleanText(options: { readonly seed: number; readonly bytes: number; readonly languages?: readonly CorpusLanguage[] }): string {
  const languages = options.languages ?? corpusLanguages;
  if (languages.length === 0) throw new Error('generateCleanText needs at least one language');
  const random = seededRandom(options.seed);
  const paragraphs: string[] = [];
  let size = 0;
  for (let index = 0; ; index += 1) {
    const language = languages[index % languages.length] as CorpusLanguage;
    const joiner = language === 'ja' ? '' : ' ';
    const count = random.int(3, 6);
    const paragraph = Array.from({ length: count }, () => sentence(language, random)).join(joiner);
    const added = Buffer.byteLength(paragraph) + (paragraphs.length > 0 ? 2 : 0);
    if (size + added > options.bytes) break;
    paragraphs.push(paragraph);
    size += added;
  }
  return paragraphs.join('\n\n');
}
