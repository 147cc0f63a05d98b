export function App() {
  return (
    <main>
      <h1>Latchkey</h1>
      <p>Version {window.latchkey.version}</p>
    </main>
  );
}
