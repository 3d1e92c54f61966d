export { PasswordChecker, sha1Hex, type PasswordCheck, type PasswordCheckerOptions, type PasswordList } from './PasswordChecker.js';
export { loadPasswordLists } from './loadPasswordLists.js';
