// Package browser holds real-browser tests of the customer pages in Debian's
// Chromium: the survey page on a phone, the survey answered with the keyboard
// only, and axe-core's accessibility checks of every page a customer can
// reach from an email. It has no code of its own; the tests drive
// /usr/bin/chromium (installed by infra/stack.sh install) with chromedp
// against the whole product on the local AWS stack, and inject
// infra/node_modules/axe-core/axe.min.js into the pages.
package browser
