// Validates every manifest of this folder against the Kubernetes OpenAPI schemas bundled in
// the npm package kubernetes-models (no cluster, no network), plus checks the schemas cannot
// express: workload selectors match their pod labels, args use only ConfigMap keys.
// Run by validate.sh, which installs kubernetes-models and js-yaml into a cache folder.
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";

const here = path.dirname(new URL(import.meta.url).pathname);
const require = createRequire(path.join(process.env.K8S_VALIDATE_MODULES || here, "noop.js"));
const yaml = require("js-yaml");

const skip = new Set(["kustomization.yaml"]);
const files = fs.readdirSync(here).filter((f) => f.endsWith(".yaml") && !skip.has(f)).sort();
let failures = 0;
let count = 0;
const configKeys = new Set();
const docs = [];
for (const file of files) {
  for (const doc of yaml.loadAll(fs.readFileSync(path.join(here, file), "utf8"))) {
    if (doc) docs.push({ file, doc });
    if (doc && doc.kind === "ConfigMap") Object.keys(doc.data || {}).forEach((k) => configKeys.add(k));
  }
}
for (const { file, doc } of docs) {
  const where = `${file}: ${doc.kind}/${doc.metadata && doc.metadata.name}`;
  const group = doc.apiVersion.includes("/") ? doc.apiVersion : `v1`;
  let Model;
  try {
    Model = require(`kubernetes-models/${group}/${doc.kind}`)[doc.kind];
  } catch (e) {
    console.error(`FAIL ${where}: no schema for ${doc.apiVersion} ${doc.kind}`);
    failures++;
    continue;
  }
  try {
    new Model(doc).validate();
  } catch (e) {
    console.error(`FAIL ${where}: ${e.message}`);
    failures++;
    continue;
  }
  const spec = doc.spec || {};
  const template = (spec.template || (spec.jobTemplate && spec.jobTemplate.spec.template));
  if (spec.selector && spec.selector.matchLabels && template) {
    for (const [k, v] of Object.entries(spec.selector.matchLabels)) {
      if (template.metadata.labels[k] !== v) {
        console.error(`FAIL ${where}: selector ${k}=${v} does not match the pod labels`);
        failures++;
      }
    }
  }
  for (const c of (template && template.spec.containers) || []) {
    for (const arg of c.args || []) {
      for (const m of arg.matchAll(/\$\(([A-Z_]+)\)/g)) {
        const local = (c.env || []).some((e) => e.name === m[1]);
        if (!configKeys.has(m[1]) && !local) {
          console.error(`FAIL ${where}: args use $(${m[1]}), not in the ConfigMap`);
          failures++;
        }
      }
    }
  }
  console.log(`ok   ${where} (${doc.apiVersion})`);
  count++;
}
console.log(`${count} of ${docs.length} manifests valid`);
process.exit(failures ? 1 : 0);
