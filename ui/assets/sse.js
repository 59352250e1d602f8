// EventStream reads Server-Sent Events from the inspection API's stream with
// fetch rather than EventSource, so that every event type arrives without being
// named in advance, and reconnects with Last-Event-ID after a disconnect. It runs
// in the shared worker (live-worker.js) or, where there is none, in the page.

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export class EventStream {
  // onEvent gets {id, type, data} (data the joined data lines); onStatus 'up' or 'down'.
  constructor(url, {onEvent, onStatus}) {
    this.url = url;
    this.onEvent = onEvent;
    this.onStatus = onStatus;
    this.lastId = '';
    this.retry = 1000;
  }

  // run reads the stream for ever.
  async run() {
    for (;;) {
      try {
        await this.connect();
      } catch (e) {
        // fall through to reconnect
      }
      this.onStatus('down');
      await sleep(this.retry);
      this.retry = Math.min(this.retry * 2, 15000);
    }
  }

  async connect() {
    const headers = {Accept: 'text/event-stream'};
    if (this.lastId) headers['Last-Event-ID'] = this.lastId;
    const res = await fetch(this.url, {headers, credentials: 'same-origin', cache: 'no-store'});
    if (!res.ok || !res.body) throw new Error('stream: ' + res.status);
    this.onStatus('up');
    this.retry = 1000;
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buf = '';
    let ev = {id: '', type: '', data: []};
    for (;;) {
      const {value, done} = await reader.read();
      if (done) return;
      buf += value;
      let nl;
      while ((nl = buf.search(/\r\n|\r|\n/)) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + (buf.startsWith('\r\n', nl) ? 2 : 1));
        if (line === '') {
          if (ev.data.length) this.onEvent({id: ev.id, type: ev.type, data: ev.data.join('\n')});
          ev = {id: '', type: '', data: []};
          continue;
        }
        if (line.startsWith(':')) {
          // The stream names where it starts; resuming from there after a
          // disconnect loses nothing even before the first event.
          const m = /^: ?position (\d+)$/.exec(line);
          if (m) this.lastId = m[1];
          continue;
        }
        const i = line.indexOf(':');
        const field = i < 0 ? line : line.slice(0, i);
        let val = i < 0 ? '' : line.slice(i + 1);
        if (val.startsWith(' ')) val = val.slice(1);
        if (field === 'id') { ev.id = val; this.lastId = val; }
        else if (field === 'event') ev.type = val;
        else if (field === 'data') ev.data.push(val);
        else if (field === 'retry' && /^\d+$/.test(val)) this.retry = Math.max(500, +val);
      }
    }
  }
}
