/** What the window shows when the app cannot start (shell boot or case store). */
export function BootError({ message }: { message: string }) {
  return (
    <div className="app-boot-error" role="alert">
      <h1>Tessera could not start</h1>
      <p>{message}</p>
      <p className="muted">
        Reload the page; if you use the web host, open the address it printed.
      </p>
    </div>
  );
}
