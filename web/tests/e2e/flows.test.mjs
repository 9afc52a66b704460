// flows.test.mjs - what people do in the web UI, end to end against the real server:
// a citizen submits online, the counter accepts, a specialist asks for one consolidated
// supplement, the citizen resubmits, the steps complete, the result is returned and rated;
// an administrator adds a procedure that a citizen then uses; a name with <script> shows as
// text; keyboard and language switch; screenshots of the main pages at 1280 and 360 px.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { crc32, deflateSync } from 'node:zlib';
import { PASSWORD, axe, login, person, shot, startBrowser, startServer } from './harness.mjs';

let srv, browser;
const sha256 = (b) => createHash('sha256').update(b).digest('hex');

// a real (tiny) PDF and PNG: the server detects the type from the content, not the name
const PDF = Buffer.from('%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n2 0 obj <</Type /Pages /Kids [] /Count 0>> endobj\n' +
  'trailer <</Root 1 0 R>>\n%%EOF\n');
function png(w, h) {
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(td));
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  const rows = Buffer.alloc((w * 3 + 1) * h, 0x40);
  for (let y = 0; y < h; y++) rows[y * (w * 3 + 1)] = 0;
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(rows)), chunk('IEND', Buffer.alloc(0))]);
}
const PNG = png(32, 24);
const unitId = async (code) => (await srv.api('/api/v1/units?q=' + encodeURIComponent(code))).items.find((u) => u.code === code).id;

before(async () => {
  srv = await startServer();
  browser = await startBrowser();
});
after(async () => {
  await browser?.close();
  await srv?.stop();
});

async function open(page, hashPath) {
  // a new load, so the page reads the dossier as it is now
  await page.goto('about:blank');
  await page.goto(page.base + '/' + hashPath);
}

async function act(page, code, action, fill) {
  await open(page, '#/work/d/' + encodeURIComponent(code));
  await page.locator(`[data-action=${action}]`).click();
  if (fill) await fill(page);
  await page.getByRole('button', { name: /^Xác nhận:/ }).click();
  const done = page.getByText('Đã thực hiện:');
  const refused = page.locator('.action-form [role=alert]');
  await done.or(refused).first().waitFor();
  if (await refused.count()) assert.fail(`${action} refused: ${await refused.textContent()}`);
}

async function badge(page, expect) {
  if (expect) await page.locator('dl.facts .badge', { hasText: expect }).first().waitFor();
  return (await page.locator('dl.facts .badge').first().textContent()).trim();
}

test('a dossier goes from online submission to a rated result', async () => {
  const division = await unitId('000.01.12.H99');
  const commune = await unitId('000.00.31.H99');
  const citizen = await person(browser, srv.base);
  await login(citizen, 'congdan1');
  await citizen.goto(srv.base + '/#/procedures/DEMO.000003');
  await citizen.getByRole('link', { name: 'Nộp hồ sơ trực tuyến' }).first().click();
  await citizen.getByRole('combobox', { name: 'Cơ quan giải quyết' }).selectOption(String(division));
  await citizen.getByRole('combobox', { name: 'Nơi tiếp nhận và trả kết quả' }).selectOption(String(commune));
  await citizen.getByLabel('Nhận tại nơi nộp').check();
  await citizen.getByRole('button', { name: 'Tiếp tục' }).click();
  // the draft survives a reload: same step, same choices
  await citizen.reload();
  await citizen.getByText('Đã mở lại bản nháp').waitFor();
  assert.match(await citizen.locator('.steps [aria-current=step]').textContent(), /Thông tin/);
  await citizen.getByRole('button', { name: 'Tiếp tục' }).click();
  // two attachments: a PDF for the form, a PNG photo for the ID paper
  await citizen.getByLabel(/^Tệp của: Tờ khai/).setInputFiles({ name: 'to-khai.pdf', mimeType: 'application/pdf', buffer: PDF });
  await citizen.getByLabel(/^Tệp của: Giấy tờ tùy thân/).setInputFiles({ name: 'anh chup CCCD.png', mimeType: 'image/png', buffer: PNG });
  await citizen.locator('[data-chosen]', { hasText: 'anh chup CCCD.png' }).waitFor();
  // the chosen files survive a reload too (kept with the draft in IndexedDB, written in the
  // background: a reload before the last write is done loses that choice)
  await citizen.locator('[data-chosen][data-saving=no]', { hasText: 'anh chup CCCD.png' }).waitFor();
  await citizen.reload();
  await citizen.locator('[data-chosen]', { hasText: 'to-khai.pdf' }).waitFor();
  await citizen.locator('[data-chosen]', { hasText: 'anh chup CCCD.png' }).waitFor();
  await shot(citizen, 'flow-wizard-documents');
  await citizen.getByRole('button', { name: 'Tiếp tục' }).click();
  await citizen.getByText('Xã An Bình').first().waitFor();
  await citizen.getByText('to-khai.pdf').waitFor();
  await citizen.getByRole('button', { name: 'Nộp hồ sơ' }).click();
  // each file goes up with a progress bar; the server confirms size, type and hash
  await citizen.getByText('Đã gửi xong tệp đính kèm').waitFor();
  const hashes = await citizen.getByTestId('file-sha256').allTextContents();
  assert.deepEqual(hashes.map((h) => h.trim()).sort(), [sha256(PDF), sha256(PNG)].sort());
  const sizes = await citizen.getByTestId('file-size').allTextContents();
  assert.deepEqual(sizes.map((x) => x.trim()).sort(), [`${PDF.length} B`, `${PNG.length} B`].sort());
  await citizen.getByText('PDF', { exact: false }).first().waitFor();
  await shot(citizen, 'flow-wizard-uploaded');
  assert.deepEqual(await axe(citizen), [], 'flow-wizard-uploaded');
  await citizen.getByRole('link', { name: 'Xem giấy tiếp nhận' }).click();
  const codeEl = citizen.getByTestId('dossier-code');
  await codeEl.waitFor();
  const code = (await codeEl.textContent()).trim();
  assert.match(code, /^000\.00\.31\.H99-\d{6}-\d{4}$/);
  await citizen.locator('svg.qr').waitFor();
  await shot(citizen, 'flow-receipt');
  assert.deepEqual(await axe(citizen), [], 'flow-receipt');

  // the counter sees it among the dossiers awaiting acceptance, with the live count on the tab
  // (the server's count of that queue), and accepts it for a named specialist chosen from the
  // officers who hold the next step's role (the server's list)
  const counter = await person(browser, srv.base);
  await login(counter, 'motcua.xa1');
  await counter.goto(srv.base + '/#/work');
  const newCount = counter.locator('[data-tab=new] [data-count=new]');
  await newCount.waitFor();
  await counter.getByRole('link', { name: code }).waitFor();
  const rows = await counter.locator('table.queue tbody tr').count();
  const waiting = Number((await newCount.textContent()).trim());
  if (await counter.locator('nav.pager button').nth(1).isDisabled()) assert.equal(waiting, rows, 'the count of "awaiting acceptance" is what the tab lists');
  else assert.ok(waiting > rows, `${waiting} > ${rows}`);
  await shot(counter, 'flow-queue-counts');
  // a second tab keeps the queues open while the first one accepts
  const queues = await counter.context().newPage();
  queues.errors = [];
  queues.on('pageerror', (e) => queues.errors.push(String(e)));
  await queues.goto(srv.base + '/#/work');
  await queues.locator('[data-tab=new] [data-count=new]', { hasText: String(waiting) }).waitFor();
  await counter.getByRole('link', { name: code }).click();
  await counter.locator('[data-action=accept]').click();
  const receiver = counter.getByRole('combobox', { name: 'Cán bộ nhận hồ sơ' });
  await receiver.locator('option', { hasText: 'chuyenvien.tp' }).waitFor({ state: 'attached' });
  const offered = await receiver.locator('option').allTextContents();
  assert.ok(!offered.some((o) => o.includes('vanthu.tp') || o.includes('motcua.xa1')), offered.join(' | '));
  await receiver.selectOption({ label: offered.find((o) => o.includes('chuyenvien.tp')) });
  await counter.getByRole('button', { name: /^Xác nhận:/ }).click();
  await counter.getByText('Đã thực hiện:').waitFor();
  // the open queues tab follows without a reload: counts are re-read when the window gets
  // focus (and every 15 s), and the list with them
  await queues.evaluate(() => window.dispatchEvent(new Event('focus')));
  await queues.waitForFunction((n) => document.querySelector('[data-tab=new] [data-count=new]')?.textContent.trim() === String(n - 1), waiting);
  await queues.getByRole('link', { name: code }).waitFor({ state: 'detached' });
  assert.deepEqual(queues.errors, []);
  await queues.close();

  // the officer sees both files, downloads the PDF (same bytes), previews the photo, and
  // opens the printed receipt (a PDF made by the server)
  const pdfLink = counter.getByRole('link', { name: 'to-khai.pdf' });
  await pdfLink.waitFor();
  const [download] = await Promise.all([counter.waitForEvent('download'), pdfLink.click()]);
  const { readFile } = await import('node:fs/promises');
  assert.equal(sha256(await readFile(await download.path())), sha256(PDF));
  const photo = counter.locator('li.file', { hasText: 'anh chup CCCD.png' });
  await photo.getByRole('button', { name: 'Xem trước' }).click();
  await photo.locator('img.preview').waitFor();
  await counter.waitForFunction(() => document.querySelector('li.file img.preview')?.naturalWidth === 32);
  const doc = counter.locator('li.file', { hasText: 'to-khai.pdf' });
  await doc.getByRole('button', { name: 'Xem trước' }).click();
  assert.equal(await doc.locator('iframe.preview').getAttribute('sandbox'), '');
  const receiptHref = await counter.locator('a[data-form=receipt]').getAttribute('href');
  const receiptPdf = await counter.request.get(srv.base + receiptHref);
  assert.equal(receiptPdf.status(), 200);
  assert.equal(receiptPdf.headers()['content-type'], 'application/pdf');
  assert.equal((await receiptPdf.body()).subarray(0, 5).toString(), '%PDF-');
  await shot(counter, 'flow-dossier-files');
  assert.deepEqual(await axe(counter), [], 'flow-dossier-files');

  // one consolidated supplement request with two items
  const spec = await person(browser, srv.base);
  await login(spec, 'chuyenvien.tp');
  await act(spec, code, 'request_supplement', async (p) => {
    await p.getByLabel('Giấy tờ 1').selectOption('TP01');
    await p.getByLabel('Lý do 1').fill('Tờ khai chưa ký');
    await p.getByRole('button', { name: 'Thêm một nội dung' }).click();
    await p.getByLabel('Giấy tờ 2').selectOption('TP02');
    await p.getByLabel('Lý do 2').fill('Ảnh chụp bị mờ');
  });

  // the citizen sees everything to add at once, and resubmits
  await open(citizen, '#/my/' + encodeURIComponent(code));
  await citizen.getByRole('heading', { name: 'Cần bổ sung hồ sơ' }).waitFor();
  await citizen.getByText('Tờ khai chưa ký').first().waitFor();
  await citizen.getByText('Ảnh chụp bị mờ').first().waitFor();
  // the signed form goes up in the supplement box, with the server's confirmation
  const signed = Buffer.concat([PDF, Buffer.from('% signed\n')]);
  await citizen.getByLabel('Tệp này thuộc giấy tờ').selectOption('TP01');
  await citizen.getByLabel('Chọn tệp').setInputFiles({ name: 'to-khai-da-ky.pdf', mimeType: 'application/pdf', buffer: signed });
  await citizen.getByRole('button', { name: 'Tải tệp lên' }).click();
  await citizen.locator('form.upload-box [data-testid=file-sha256]', { hasText: sha256(signed) }).waitFor();
  await citizen.locator('ul.files').getByRole('link', { name: 'to-khai-da-ky.pdf' }).waitFor();
  await shot(citizen, 'flow-supplement-request');
  assert.deepEqual(await axe(citizen), [], 'flow-supplement-request');
  await citizen.locator('[data-action=resubmit]').click();
  await citizen.getByRole('button', { name: /^Xác nhận:/ }).click();
  await citizen.getByText('Đã thực hiện:').waitFor();
  assert.equal(await badge(citizen, 'Đang xử lý'), 'Đang xử lý');

  // the steps complete and the result is returned
  await act(spec, code, 'forward');
  const leader = await person(browser, srv.base);
  await login(leader, 'lanhdao.tp');
  await act(leader, code, 'finish');
  await act(counter, code, 'deliver');
  await open(counter, '#/work/d/' + encodeURIComponent(code) + '/slip');
  await counter.locator('table.slip tbody tr').first().waitFor();
  assert.ok((await counter.locator('table.slip tbody tr').count()) >= 4);
  await shot(counter, 'flow-control-slip');
  assert.deepEqual(await axe(counter), [], 'flow-control-slip');

  // the citizen rates the service
  await open(citizen, '#/my/' + encodeURIComponent(code));
  await citizen.locator('[data-action=rate]').click();
  await citizen.getByLabel('Rất hài lòng', { exact: true }).check();
  await citizen.getByLabel('Nhận xét').fill('Nhanh, đúng hẹn');
  await citizen.getByRole('button', { name: /^Xác nhận:/ }).click();
  await citizen.getByText('Đã thực hiện:').waitFor();
  assert.equal(await badge(citizen, 'Đã trả kết quả'), 'Đã trả kết quả');
  await citizen.getByText('Nhanh, đúng hẹn').waitFor();

  // anyone with the code and the phone sees the status, without personal data
  const anon = await person(browser, srv.base);
  await anon.goto(srv.base + '/#/lookup?code=' + encodeURIComponent(code));
  await anon.getByRole('textbox', { name: 'Số điện thoại' }).fill('0912000001');
  await anon.getByRole('button', { name: 'Tra cứu' }).click();
  await anon.getByRole('heading', { name: 'Tình trạng hồ sơ' }).waitFor();
  assert.equal(await badge(anon, 'Đã trả kết quả'), 'Đã trả kết quả');
  assert.ok(!(await anon.content()).includes('Nguyễn Thị Bình'));
  await shot(anon, 'flow-public-lookup');
  assert.deepEqual(await axe(anon), [], 'flow-public-lookup');
  for (const p of [citizen, counter, spec, leader, anon]) assert.deepEqual(p.errors, []);
});

test('counter intake, then a stale action is refused with the server reason in place', async () => {
  const counter = await person(browser, srv.base);
  await login(counter, 'motcua.xa1');
  await counter.goto(srv.base + '/#/work/intake');
  // the person by ID number: an unknown number says so, a known one fills name and phone
  await counter.getByLabel('Số định danh cá nhân').fill('001299999999');
  await counter.getByRole('button', { name: 'Tìm người nộp' }).click();
  await counter.getByText('Không có tài khoản nào với số này').waitFor();
  await counter.getByLabel('Số định danh cá nhân').fill('001190000123');
  await counter.getByRole('button', { name: 'Tìm người nộp' }).click();
  await counter.getByText('Đã tìm thấy: Nguyễn Thị Bình').waitFor();
  assert.equal(await counter.getByLabel('Họ và tên').inputValue(), 'Nguyễn Thị Bình');
  assert.equal(await counter.getByLabel('Số điện thoại').inputValue(), '0912000001');
  await shot(counter, 'intake-person-found');
  assert.deepEqual(await axe(counter), [], 'intake-person-found');
  await counter.getByRole('searchbox', { name: 'Bạn cần làm thủ tục gì?' }).fill('DEMO.000003');
  await counter.getByRole('button', { name: 'Tìm', exact: true }).click();
  await counter.getByRole('button', { name: /^DEMO\.000003/ }).click();
  await counter.getByRole('combobox', { name: 'Cơ quan giải quyết' }).selectOption(String(await unitId('000.01.12.H99')));
  await counter.getByRole('button', { name: 'Đã nhận đủ tất cả' }).click();
  await shot(counter, 'intake-filled');
  await counter.getByRole('button', { name: 'Tiếp nhận và in giấy hẹn' }).click();
  await counter.getByText('Đã tiếp nhận hồ sơ').waitFor();
  await counter.locator('svg.qr').waitFor();
  await counter.getByText('Nguyễn Thị Bình').first().waitFor();
  await shot(counter, 'intake-receipt');
  assert.deepEqual(await axe(counter), [], 'intake-receipt');
  const code = (await counter.locator('.receipt .bigcode').textContent()).trim();

  // the specialist has the dossier open in two tabs; the first tab forwards it, so the second
  // tab's "forward" is stale: the server answers 409 with its reason and the current state
  const spec = await person(browser, srv.base);
  await login(spec, 'chuyenvien.tp');
  const tab2 = await spec.context().newPage();
  tab2.errors = [];
  tab2.on('pageerror', (e) => tab2.errors.push(String(e)));
  tab2.base = srv.base;
  await open(tab2, '#/work/d/' + encodeURIComponent(code));
  await tab2.locator('[data-action=forward]').click();
  await act(spec, code, 'forward');
  await tab2.getByRole('button', { name: /^Xác nhận:/ }).click();
  const reason = tab2.locator('.action-form [role=alert]');
  await reason.waitFor();
  assert.match(await reason.textContent(), new RegExp(`Hồ sơ ${code.replace(/\./g, '\\.')} đã thay đổi`));
  // the page now shows the state as it is: forward is no longer offered, the reason stays
  await tab2.locator('[data-action=forward]').waitFor({ state: 'detached' });
  assert.equal(await reason.count(), 1);
  await shot(tab2, 'stale-action-refused');
  assert.deepEqual(await axe(tab2), [], 'stale-action-refused');

  // the apology flow: at the approval step the agency leader apologises with a new appointment
  // (the form starts one day after the current one); the page keeps the old and the new date and
  // offers the apology letter (a PDF made by the server); a second apology is not offered
  const leader = await person(browser, srv.base);
  await login(leader, 'lanhdao.tp');
  await open(leader, '#/work/d/' + encodeURIComponent(code));
  assert.match(await leader.getByTestId('dossier-step').textContent(), /Bước 3\/4: Phê duyệt — Lãnh đạo cơ quan/);
  await act(leader, code, 'apologize', async (p) => {
    await p.getByLabel('Lý do').fill('Cần xác minh thêm với cơ quan khác');
  });
  await leader.getByText(/hẹn ban đầu/).waitFor();
  const apology = await leader.request.get(srv.base + (await leader.locator('a[data-form=apology]').getAttribute('href')));
  assert.equal(apology.status(), 200);
  assert.equal((await apology.body()).subarray(0, 5).toString(), '%PDF-');
  await open(leader, '#/work/d/' + encodeURIComponent(code));
  await leader.locator('[data-action=finish]').waitFor();
  assert.equal(await leader.locator('[data-action=apologize]').count(), 0);
  await shot(leader, 'apology-sent');
  assert.deepEqual(await axe(leader), [], 'apology-sent');
  assert.deepEqual([...counter.errors, ...spec.errors, ...tab2.errors, ...leader.errors], []);
});

test('an administrator adds a procedure and a citizen submits it', async () => {
  const admin = await person(browser, srv.base);
  await login(admin, 'admin');
  await admin.goto(srv.base + '/#/admin/procedures');
  const record = {
    procedures: [{
      code: 'DEMO.900001', name: 'Thủ tục thử nghiệm giao diện', field: 'Thử nghiệm', online_level: 'full',
      units: ['000.00.00.H99'],
      variants: [{ code: 'CHUNG', name: 'Trường hợp chung', default: true,
        times: [{ channel: 1, amount: 2, unit: 'working_days' }, { channel: 2, amount: 2, unit: 'working_days' }],
        documents: [{ code: 'TK', name: 'Tờ khai thử nghiệm', originals: 1, copies: 0, required: true }] }],
    }],
  };
  await admin.getByLabel('Nội dung JSON').fill(JSON.stringify(record));
  await admin.getByRole('button', { name: 'Lưu vào danh mục' }).click();
  await admin.getByText('Đã lưu: 1 thủ tục mới').waitFor();
  // a broken record is refused whole, with the place named
  await admin.getByLabel('Nội dung JSON').fill(JSON.stringify({ procedures: [{ code: 'DEMO.900002', name: 'X' }] }));
  await admin.getByRole('button', { name: 'Lưu vào danh mục' }).click();
  await admin.locator('[role=alert]').waitFor();

  // editing a procedure read from the API saves it as a new version
  await admin.getByRole('searchbox', { name: 'Tìm thủ tục' }).fill('DEMO.900001');
  await admin.getByRole('button', { name: 'Tìm', exact: true }).click();
  await admin.getByRole('button', { name: 'Sửa' }).first().click();
  // the record is read from the API: wait for it to replace the text
  await admin.waitForFunction(() => document.querySelector('textarea.code')?.value.includes('DEMO.900001'));
  const text = await admin.getByLabel('Nội dung JSON').inputValue();
  assert.match(text, /Thủ tục thử nghiệm giao diện/);
  await admin.getByLabel('Nội dung JSON').fill(text.replace('Tờ khai thử nghiệm', 'Tờ khai thử nghiệm (mẫu mới)'));
  await admin.getByRole('button', { name: 'Lưu vào danh mục' }).click();
  await admin.getByText('Đã lưu: 0 thủ tục mới, 1 phiên bản mới').waitFor();
  // the version history lists both versions, newest first, the new one in force
  await admin.getByRole('button', { name: 'Lịch sử phiên bản' }).first().click();
  const versions = admin.locator('#proc-versions-h + .table-wrap tbody tr');
  await admin.waitForFunction(() => document.querySelectorAll('#proc-versions-h + .table-wrap tbody tr').length === 2);
  assert.deepEqual(await versions.evaluateAll((rs) => rs.map((r) => r.dataset.version)), ['2', '1']);
  assert.match(await versions.first().textContent(), /đang áp dụng/);
  await shot(admin, 'admin-procedure-versions');
  assert.deepEqual(await axe(admin), [], 'admin-procedure-versions');

  // its workflow: a review by the division head between processing and approval. A first
  // attempt that does not start with receiving is refused, the wrong step named in place.
  await admin.goto(srv.base + '/#/admin/flows?code=DEMO.900001');
  await admin.getByText('Thủ tục chưa có quy trình ban hành').waitFor();
  const step = (n) => admin.locator(`.flow-steps li[data-step="${n}"]`);
  await step(1).getByLabel('Loại bước').selectOption('process');
  await admin.getByRole('button', { name: 'Ban hành quy trình' }).click();
  await step(1).locator('[role=alert]').waitFor();
  assert.match(await step(1).locator('[role=alert]').textContent(), /Bước đầu tiên phải là bước tiếp nhận/);
  await shot(admin, 'admin-flow-refused');
  assert.deepEqual(await axe(admin), [], 'admin-flow-refused');
  await step(1).getByLabel('Loại bước').selectOption('receive');
  await admin.getByRole('button', { name: 'Thêm một bước xử lý' }).click();
  await step(2).getByLabel('Số giờ làm việc').fill('6');
  await step(3).getByLabel('Loại bước').selectOption('review');
  await step(3).getByLabel('Vai trò thực hiện').selectOption('division_head');
  await step(3).getByLabel('Số giờ làm việc').fill('2');
  await admin.getByRole('button', { name: 'Ban hành quy trình' }).click();
  await admin.getByText('Đã ban hành phiên bản 1.').waitFor();
  const v1 = admin.locator('li[data-flow-version="1"] ol > li');
  await v1.first().waitFor();
  assert.equal(await v1.count(), 5);
  assert.match(await v1.nth(2).textContent(), /Lãnh đạo phòng/);
  await shot(admin, 'admin-flow-published');

  const citizen = await person(browser, srv.base);
  await login(citizen, 'doanhnghiep1');
  await citizen.goto(srv.base + '/#/');
  await citizen.getByRole('searchbox', { name: 'Bạn cần làm thủ tục gì?' }).fill('thu nghiem giao dien');
  await citizen.keyboard.press('Enter');
  await citizen.getByRole('link', { name: 'Thủ tục thử nghiệm giao diện' }).click();
  await citizen.getByRole('link', { name: 'Nộp hồ sơ trực tuyến' }).click();
  await citizen.getByRole('combobox', { name: 'Cơ quan giải quyết' }).selectOption(String(await unitId('000.01.12.H99')));
  await citizen.getByRole('combobox', { name: 'Nơi tiếp nhận và trả kết quả' }).selectOption(String(await unitId('000.00.31.H99')));
  for (let i = 0; i < 3; i++) await citizen.getByRole('button', { name: 'Tiếp tục' }).click();
  await citizen.getByRole('button', { name: 'Nộp hồ sơ' }).click();
  const code = (await citizen.getByTestId('dossier-code').textContent()).trim();
  assert.match(code, /^000\.00\.31\.H99-\d{6}-\d{4}$/);

  // the dossier runs the published flow: after processing it goes to the division head's review
  // (step 3), where the default flow would have gone to the agency leader's approval
  const counter = await person(browser, srv.base);
  await login(counter, 'motcua.xa1');
  await act(counter, code, 'accept');
  const spec = await person(browser, srv.base);
  await login(spec, 'chuyenvien.tp');
  await act(spec, code, 'forward');
  const head = await person(browser, srv.base);
  await login(head, 'truongphong.tp');
  await open(head, '#/work/d/' + encodeURIComponent(code));
  await head.getByText('Hạn của bước 3').waitFor();
  assert.match(await head.getByTestId('dossier-step').textContent(), /Bước 3\/5: Xem xét — Lãnh đạo phòng/);
  await head.locator('[data-action=forward]').waitFor();
  await shot(head, 'flow-extra-step');
  const leader = await person(browser, srv.base);
  await login(leader, 'lanhdao.tp');
  await open(leader, '#/work/d/' + encodeURIComponent(code));
  await leader.getByText('Hạn của bước 3').waitFor();
  assert.equal(await leader.locator('[data-action=finish]').count(), 0, 'the leader approves only at step 4');
  await act(head, code, 'forward');
  await open(leader, '#/work/d/' + encodeURIComponent(code));
  await leader.getByText('Hạn của bước 4').waitFor();
  assert.deepEqual([...admin.errors, ...citizen.errors, ...counter.errors, ...spec.errors, ...head.errors, ...leader.errors], []);
});

test('a name containing <script> is shown as text', async () => {
  const p = await person(browser, srv.base);
  await p.goto(srv.base + '/#/register');
  const name = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2"> Lê Thị Thử';
  await p.getByLabel('Họ và tên').fill(name);
  await p.getByLabel('Số định danh cá nhân').fill('001190077123');
  await p.getByLabel('Số điện thoại').fill('0912777123');
  await p.getByLabel('Mật khẩu').fill('Matkhau-thu-2026');
  await p.getByRole('button', { name: 'Đăng ký', exact: true }).click();
  await p.getByRole('button', { name: 'Đăng xuất' }).waitFor();
  assert.equal((await p.locator('.who').textContent()).trim(), name);
  assert.equal(await p.evaluate(() => window.__pwned), undefined);
  assert.equal(await p.locator('header img').count(), 0);
  assert.deepEqual(p.errors, []);
  // the same name taken at the counter shows as text on the officer's dossier page
  const counter = await person(browser, srv.base);
  await login(counter, 'motcua.xa1');
  await counter.goto(srv.base + '/#/work/intake');
  await counter.getByLabel('Họ và tên').fill(name);
  await counter.getByRole('searchbox', { name: 'Bạn cần làm thủ tục gì?' }).fill('DEMO.000003');
  await counter.getByRole('button', { name: 'Tìm', exact: true }).click();
  await counter.getByRole('button', { name: /^DEMO\.000003/ }).click();
  await counter.getByRole('combobox', { name: 'Cơ quan giải quyết' }).selectOption(String(await unitId('000.01.12.H99')));
  await counter.getByRole('button', { name: 'Đã nhận đủ tất cả' }).click();
  await counter.getByRole('button', { name: 'Tiếp nhận và in giấy hẹn' }).click();
  await counter.getByText('Đã tiếp nhận hồ sơ').waitFor();
  await counter.getByText(name).first().waitFor();
  assert.equal(await counter.evaluate(() => window.__pwned), undefined);
  assert.equal(await counter.locator('main img[src=x]').count(), 0);
  await shot(counter, 'script-name-as-text');
  assert.deepEqual(counter.errors, []);
});

test('keyboard only: skip link, search, and the English switch', async () => {
  const p = await person(browser, srv.base);
  await p.goto(srv.base + '/#/');
  await p.getByRole('heading', { name: 'Dịch vụ công trực tuyến' }).waitFor();
  await p.keyboard.press('Tab');
  assert.equal(await p.evaluate(() => document.activeElement.textContent), 'Bỏ qua, đến nội dung chính');
  await p.keyboard.press('Enter');
  assert.equal(await p.evaluate(() => document.activeElement.id), 'main');
  await p.keyboard.press('Tab'); // the search box is the first control of the page
  await p.keyboard.type('dang ky khai sinh');
  await p.keyboard.press('Enter');
  await p.getByRole('link', { name: 'Thủ tục đăng ký khai sinh', exact: true }).waitFor();
  // a visible focus ring (outline) on the focused control
  await p.keyboard.press('Tab');
  const outline = await p.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
  assert.notEqual(outline, 'none');
  await p.getByRole('button', { name: 'Switch to English' }).click();
  await p.getByRole('heading', { name: 'Find a procedure' }).waitFor();
  await p.reload();
  await p.getByRole('heading', { name: 'Find a procedure' }).waitFor();
  assert.equal(await p.evaluate(() => document.documentElement.lang), 'en');
  await p.getByRole('button', { name: 'Chuyển sang tiếng Việt' }).click();
  await p.getByRole('heading', { name: 'Tìm thủ tục' }).waitFor();
});

const PAGES = [
  [null, 'home', '/#/'],
  [null, 'search', '/#/procedures?q=khai%20sinh'],
  [null, 'procedure', '/#/procedures/1.001193'],
  [null, 'lookup', '/#/lookup'],
  [null, 'login', '/#/login'],
  [null, 'register', '/#/register'],
  ['congdan1', 'my-dossiers', '/#/my'],
  ['congdan1', 'wizard', '/#/submit/DEMO.000003'],
  ['motcua.xa1', 'queues', '/#/work?tab=all'],
  ['motcua.xa1', 'intake', '/#/work/intake'],
  ['motcua.xa1', 'dossier', '#DOSSIER'],
  ['motcua.xa1', 'control-slip', '#SLIP'],
  ['congdan1', 'my-dossier', '#MY'],
  ['congdan1', 'receipt', '#RECEIPT'],
  ['admin', 'admin-units', '/#/admin'],
  ['admin', 'admin-users', '/#/admin/users'],
  ['admin', 'admin-procedures', '/#/admin/procedures'],
  ['admin', 'admin-flows', '/#/admin/flows?code=DEMO.000003'],
  ['admin', 'admin-calendar', '/#/admin/calendar?year=2026'],
  ['admin', 'admin-settings', '/#/admin/settings'],
];

// a dossier of the demo citizen that the commune's counter received (read once, over the API)
let demoCode = null;
async function resolvePath(path) {
  if (!path.startsWith('#')) return path;
  if (!demoCode) {
    const r = await fetch(srv.base + '/api/v1/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login: 'congdan1', password: PASSWORD }) });
    const cookie = (r.headers.get('set-cookie') || '').split(';')[0];
    const list = await (await fetch(srv.base + '/api/v1/dossiers?limit=50', { headers: { cookie } })).json();
    const commune = await unitId('000.00.31.H99');
    demoCode = (list.items.find((d) => d.receiving_unit_id === commune) || list.items[0]).code;
  }
  const c = encodeURIComponent(demoCode);
  return { '#DOSSIER': `/#/work/d/${c}`, '#SLIP': `/#/work/d/${c}/slip`, '#MY': `/#/my/${c}`, '#RECEIPT': `/#/receipt/${c}` }[path];
}

test('main pages at 1280 and 360 px: screenshots, WCAG 2.1 AA rules of axe-core, no sideways scrolling at 360', async () => {
  const problems = [];
  for (const width of [1280, 360]) {
    const pages = {};
    for (const [user, name, path] of PAGES) {
      const key = user || '';
      if (!pages[key]) {
        pages[key] = await person(browser, srv.base, width);
        if (user) await login(pages[key], user);
      }
      const p = pages[key];
      await p.goto(srv.base + (await resolvePath(path)));
      await p.locator('main h1').first().waitFor();
      await p.waitForLoadState('networkidle');
      await shot(p, `page-${name}-${width}`);
      if (width === 360) {
        const sw = await p.evaluate(() => document.documentElement.scrollWidth);
        assert.ok(sw <= 360, `${name} is ${sw}px wide at 360`);
      }
      for (const v of await axe(p)) problems.push(`${name} @${width}: ${v}`);
      assert.deepEqual(p.errors, [], name);
    }
  }
  assert.deepEqual(problems, []);
});
