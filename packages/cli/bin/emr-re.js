#!/usr/bin/env node
// Launcher committed as plain JS so that npm links the `emr-re` bin at install time, before the build.
require('../dist/bin.js');
