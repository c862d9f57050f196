#!/usr/bin/env node
// The `tillwatch` command of the published package: runs the built CLI.
import '../dist/main.js';
