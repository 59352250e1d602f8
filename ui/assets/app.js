// connectmail web UI: the entry module. It routes /ui/... paths to the page
// modules (pages/*.js) and starts the live event feed (live.js). Plain DOM, no
// framework: every value from the API goes into the page as text nodes or
// attributes (dom.js), and email HTML is only shown in a sandboxed iframe that
// loads the API's inert document.
import {clear, errorBox, h, link} from './dom.js';
import {Live} from './live.js';
import {contactsPage} from './pages/contacts.js';
import {contactPage} from './pages/contact.js';
import {instancesPage} from './pages/instances.js';
import {templatePage, templatesPage} from './pages/templates.js';
import {suppressionsPage} from './pages/suppressions.js';

// App is the router. Each page gets it as its context: main (the element it
// renders into), navigate, and onLive (a live listener removed on leaving).
class App {
  constructor() {
    this.main = document.getElementById('main');
    this.live = new Live(document.getElementById('live'));
    this.leaving = [];
  }

  navigate(href, replace) {
    if (replace) history.replaceState(null, '', href);
    else history.pushState(null, '', href);
    this.route();
  }

  onLive(fn) {
    this.leaving.push(this.live.on(fn));
  }

  // onLeave registers cleanup (timers) of the current page.
  onLeave(fn) {
    this.leaving.push(fn);
  }

  route() {
    for (const f of this.leaving.splice(0)) f();
    const path = location.pathname.replace(/\/+$/, '');
    const parts = path.split('/').slice(2).map(decodeURIComponent); // after /ui
    let section = 'contacts';
    let page;
    if (parts.length === 0 || parts[0] === '' || (parts[0] === 'contacts' && parts.length === 1)) {
      page = () => contactsPage(this);
    } else if (parts[0] === 'contacts' && parts.length === 2) {
      page = () => contactPage(this, parts[1]);
    } else if (parts[0] === 'instances') {
      section = 'instances';
      page = () => instancesPage(this);
    } else if (parts[0] === 'templates' && parts.length === 1) {
      section = 'templates';
      page = () => templatesPage(this);
    } else if (parts[0] === 'templates' && parts.length === 3) {
      section = 'templates';
      page = () => templatePage(this, parts[1], parts[2]);
    } else if (parts[0] === 'suppressions') {
      section = 'suppressions';
      page = () => suppressionsPage(this);
    } else {
      page = () => { clear(this.main).append(h('h1', null, 'Not found'), h('p', null, link('/ui/', 'Back to contacts'))); };
    }
    for (const a of document.querySelectorAll('header nav a')) {
      a.classList.toggle('active', a.dataset.section === section);
      if (a.dataset.section === section) a.setAttribute('aria-current', 'page');
      else a.removeAttribute('aria-current');
    }
    document.documentElement.dataset.page = section;
    window.scrollTo(0, 0);
    Promise.resolve(page()).catch((e) => { clear(this.main).append(errorBox(e)); });
  }

  start() {
    // A URL with user:password@ (HTTP Basic credentials) would make every fetch
    // fail; the browser keeps the credentials, so drop them from the address.
    if (location.href.startsWith(location.protocol + '//') && location.href.includes('@' + location.host)) {
      history.replaceState(null, '', location.pathname + location.search + location.hash);
    }
    document.addEventListener('click', (e) => {
      const a = e.target.closest('a[data-nav]');
      if (!a || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
      const u = new URL(a.href, location.href);
      if (u.origin !== location.origin || !u.pathname.startsWith('/ui/')) return;
      e.preventDefault();
      this.navigate(u.pathname + u.search);
    });
    window.addEventListener('popstate', () => this.route());
    this.route();
    this.live.start();
  }
}

new App().start();
