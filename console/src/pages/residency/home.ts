/**
 * A flow's or tenant's home jurisdiction as the residency answer gives it. The server writes "??" for
 * a home it does not know (a tenant with none set; older answers: "" or "(none)"). Such traffic is
 * neither served at home nor cross-border: there is no home to compare with. No React here, so that
 * the Node tests can check it directly.
 */
export function isUnknownHome(code: string | null | undefined): boolean {
  return code === null || code === undefined || code === '' || code === '??' || code === '(none)';
}
