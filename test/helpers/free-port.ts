// The suite uses the test kit's own free-port helper (one copy, shipped in ledgerite/testing's sources).
export { freePort } from '../../src/testing/free-port.ts'
