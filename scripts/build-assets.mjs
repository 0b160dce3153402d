// Builds Safeguard's static assets from npm packages into safeguard/static/dist.
// GOV.UK Frontend is compiled from Sass (not the precompiled CSS) so that:
//  - asset URLs point at Django's static URL, not the site root;
//  - the GDS Transport font and crown, which are only for services on GOV.UK, are not used.
import { cpSync, mkdirSync, writeFileSync, rmSync } from "node:fs";
import * as sass from "sass";

const out = "safeguard/static/dist";
rmSync(out, { recursive: true, force: true });
mkdirSync(`${out}/govuk`, { recursive: true });

const css = sass.compile("safeguard/static/src/application.scss", {
  loadPaths: ["node_modules"],
  style: "compressed",
  quietDeps: true,
  silenceDeprecations: ["import"],
});
writeFileSync(`${out}/application.css`, css.css);

const govuk = "node_modules/govuk-frontend/dist/govuk";
cpSync(`${govuk}/govuk-frontend.min.js`, `${out}/govuk/govuk-frontend.min.js`);
cpSync(`${govuk}/assets/images`, `${out}/govuk/assets/images`, { recursive: true });
cpSync(`${govuk}/assets/manifest.json`, `${out}/govuk/assets/manifest.json`);
// MD5 of a file read in slices, in the browser (the Remove it journey hashes images on the young person's device).
mkdirSync(`${out}/vendor`, { recursive: true });
cpSync("node_modules/spark-md5/spark-md5.min.js", `${out}/vendor/spark-md5.min.js`);
console.log(`built ${out}`);
