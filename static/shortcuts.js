// Keyboard shortcuts for logged-in pages (see templates/_shortcuts.html).
"use strict";
