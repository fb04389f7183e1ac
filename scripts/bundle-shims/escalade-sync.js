// yargs looks for the nearest package.json above its own folder (escalade) to guess a --version
// it is told not to print; bundled, its folder is not under node_modules, so it would list every
// folder from the working directory up to the root. fedrender turns --version off: no search.
export default function findUp() {
  return undefined;
}
